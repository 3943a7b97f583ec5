using System.Net;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;

namespace Hoomi.Api.Tests.Operations;

public sealed class HealthAndOpenApiTests
{
    private HoomiApiFactory _factory = null!;

    [OneTimeSetUp]
    public void StartApi() => _factory = HoomiApiFactory.OnPostgres();

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    [TestCase("/health/live")]
    [TestCase("/health/ready")]
    public async Task Health_endpoints_answer_200_healthy_without_a_token(string path)
    {
        var response = await _factory.CreateClient().GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
    }

    [Test]
    public async Task The_openapi_document_is_json_listing_the_hoomi_member_and_key_paths()
    {
        var response = await _factory.CreateClient().GetAsync("/openapi/v1.json");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.That(document["openapi"]!.GetValue<string>(), Does.StartWith("3."));
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.That(paths, Is.SupersetOf(new[]
        {
            "/hoomis",
            "/hoomis/{hoomiId}",
            "/hoomis/{hoomiId}/members",
            "/hoomis/{hoomiId}/members/{userId}",
            "/me",
            "/me/keys",
            "/me/keys/{keyId}",
            "/auth/register",
            "/auth/login",
            "/auth/refresh",
        }));
    }

    [Test]
    public async Task Scalar_serves_the_api_reference_page()
    {
        // The client follows redirects, so a redirect to the page also ends in 200.
        var response = await _factory.CreateClient().GetAsync("/scalar");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("openapi/v1.json").Or.Contain("scalar").IgnoreCase);
    }
}
