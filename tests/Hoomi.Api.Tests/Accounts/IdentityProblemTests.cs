using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;

namespace Hoomi.Api.Tests.Accounts;

/// <summary>
/// Errors that ASP.NET Core Identity's endpoints and the status-code pages produce have the service's own problem shape
/// (<c>urn:hoomi:problem:</c> type, the same title as every other error of that status), not the framework's.
/// </summary>
public sealed class IdentityProblemTests
{
    private HoomiApiFactory _factory = null!;

    [OneTimeSetUp]
    public void StartApi() => _factory = HoomiApiFactory.OnPostgres();

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    private static async Task<JsonObject> ProblemOf(HttpResponseMessage response)
    {
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Test]
    public async Task A_wrong_password_and_an_unknown_account_answer_the_same_hoomi_401_problem()
    {
        var http = _factory.CreateClient();
        var email = "user-" + Guid.NewGuid().ToString("N")[..10] + "@example.com";
        Assert.That((await http.PostAsJsonAsync("/auth/register", new { email, password = ApiClient.Password })).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var wrong = await http.PostAsJsonAsync("/auth/login", new { email, password = "Not-the-passw0rd!" });
        var unknown = await http.PostAsJsonAsync("/auth/login", new { email = "nobody-" + email, password = "Not-the-passw0rd!" });
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var a = await ProblemOf(wrong);
        var b = await ProblemOf(unknown);
        Assert.Multiple(() =>
        {
            Assert.That(a["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:unauthenticated"));
            Assert.That(a["title"]!.GetValue<string>(), Is.EqualTo("Authentication is required."));
            Assert.That(a["status"]!.GetValue<int>(), Is.EqualTo(401));
            Assert.That(a["detail"]!.GetValue<string>(), Is.EqualTo("The user name or password is wrong."));
            Assert.That(b["type"]!.ToJsonString() + b["title"]!.ToJsonString() + b["detail"]!.ToJsonString(),
                Is.EqualTo(a["type"]!.ToJsonString() + a["title"]!.ToJsonString() + a["detail"]!.ToJsonString()), "no account oracle in the body");
        });
    }

    [Test]
    public async Task Identity_validation_errors_are_hoomi_validation_problems_with_their_errors()
    {
        var http = _factory.CreateClient();
        var response = await http.PostAsJsonAsync("/auth/register", new { email = "weak-" + Guid.NewGuid().ToString("N")[..8] + "@example.com", password = "short" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var problem = await ProblemOf(response);
        Assert.Multiple(() =>
        {
            Assert.That(problem["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:validation"));
            Assert.That(problem["title"]!.GetValue<string>(), Is.EqualTo("The request is not valid."));
            Assert.That(problem["errors"]?.AsObject().Count, Is.GreaterThan(0), "Identity's own error list is kept");
        });
    }

    [Test]
    public async Task A_revoked_refresh_token_and_an_unknown_route_answer_hoomi_problems()
    {
        var http = _factory.CreateClient();
        var refresh = await http.PostAsJsonAsync("/auth/refresh", new { refreshToken = "not-a-token" });
        Assert.That((int)refresh.StatusCode, Is.EqualTo(401));
        Assert.That((await ProblemOf(refresh))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:unauthenticated"));

        var missing = await http.GetAsync("/no-such-route-" + Guid.NewGuid().ToString("N"));
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await ProblemOf(missing))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:not-found"));
    }
}
