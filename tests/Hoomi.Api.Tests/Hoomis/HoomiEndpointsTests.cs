using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;

namespace Hoomi.Api.Tests.Hoomis;

public sealed class HoomiEndpointsTests
{
    private HoomiApiFactory _factory = null!;

    [OneTimeSetUp]
    public void StartApi() => _factory = HoomiApiFactory.OnPostgres();

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    [Test]
    public async Task Creator_becomes_owner_and_sees_the_hoomi_in_their_list()
    {
        var alice = await ApiClient.RegisterAsync(_factory.CreateClient(), "alice");
        var response = await alice.Http.PostAsJsonAsync("/hoomis", new { name = "  Holidays 2026 " });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = created["id"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/hoomis/{id}"));
            Assert.That(created["name"]!.GetValue<string>(), Is.EqualTo("Holidays 2026"));
            Assert.That(created["role"]!.GetValue<string>(), Is.EqualTo("Owner"));
            Assert.That(created["memberCount"]!.GetValue<int>(), Is.EqualTo(1));
        });

        var list = (await alice.Http.GetFromJsonAsync<JsonObject>("/hoomis"))!["items"]!.AsArray();
        Assert.That(list.Select(h => h!["id"]!.GetValue<string>()), Is.EquivalentTo(new[] { id }));
        var one = (await alice.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{id}"))!;
        Assert.That(one["name"]!.GetValue<string>(), Is.EqualTo("Holidays 2026"));
    }

    [Test]
    public async Task An_outsider_gets_404_for_a_hoomi_they_are_not_in_and_it_is_absent_from_their_list()
    {
        var alice = await ApiClient.RegisterAsync(_factory.CreateClient(), "alice");
        var mallory = await ApiClient.RegisterAsync(_factory.CreateClient(), "mallory");
        var id = await alice.CreateHoomiAsync();

        var response = await mallory.Http.GetAsync($"/hoomis/{id}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var problem = await ApiClient.ProblemOf(response);
        Assert.That(problem["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:not-found"));
        var unknown = await mallory.Http.GetAsync($"/hoomis/{Guid.NewGuid()}");
        Assert.That(await unknown.Content.ReadAsStringAsync(), Does.Contain("Hoomi was not found"), "an unknown id and a foreign id look the same");
        var list = (await mallory.Http.GetFromJsonAsync<JsonObject>("/hoomis"))!["items"]!.AsArray();
        Assert.That(list, Is.Empty);
    }

    [Test]
    public async Task Requests_without_a_token_get_401()
    {
        var anonymous = _factory.CreateClient();
        Assert.Multiple(async () =>
        {
            Assert.That((await anonymous.GetAsync("/hoomis")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await anonymous.PostAsJsonAsync("/hoomis", new { name = "x" })).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await anonymous.GetAsync($"/hoomis/{Guid.NewGuid()}")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await anonymous.GetAsync("/me")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-token");
        Assert.That((await anonymous.GetAsync("/hoomis")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [TestCase("{\"name\":\"\"}", "name")]
    [TestCase("{\"name\":\"   \"}", "name")]
    [TestCase("{}", "name")]
    [TestCase("{\"name\":null}", "name")]
    public async Task A_missing_or_blank_name_is_a_400_with_the_field_error(string body, string field)
    {
        var alice = await ApiClient.RegisterAsync(_factory.CreateClient(), "alice");
        var response = await alice.Http.PostAsync("/hoomis", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var problem = await ApiClient.ProblemOf(response);
        Assert.That(problem["errors"]![field], Is.Not.Null);
    }

    [Test]
    public async Task A_huge_name_is_a_400_with_the_field_error()
    {
        var alice = await ApiClient.RegisterAsync(_factory.CreateClient(), "alice");
        var response = await alice.Http.PostAsJsonAsync("/hoomis", new { name = new string('x', 200_000) });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await ApiClient.ProblemOf(response))["errors"]!["name"], Is.Not.Null);
    }

    [TestCase("{\"name\":")]
    [TestCase("not json at all")]
    [TestCase("{\"name\":5}")]
    [TestCase("[1,2,3]")]
    [TestCase("")]
    public async Task Malformed_json_or_wrong_types_are_a_400_problem_never_a_5xx(string body)
    {
        var alice = await ApiClient.RegisterAsync(_factory.CreateClient(), "alice");
        var response = await alice.Http.PostAsync("/hoomis", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        await ApiClient.ProblemOf(response);
    }

    [Test]
    public async Task A_body_that_is_not_json_gets_415()
    {
        var alice = await ApiClient.RegisterAsync(_factory.CreateClient(), "alice");
        var response = await alice.Http.PostAsync("/hoomis", new StringContent("name=x", Encoding.UTF8, "text/plain"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
        await ApiClient.ProblemOf(response);
    }

    [TestCase("/hoomis/not-a-guid")]
    [TestCase("/hoomis/12345")]
    [TestCase("/hoomis/00000000-0000-0000-0000-00000000000g/members")]
    public async Task Invalid_ids_in_the_path_are_404_not_5xx(string path)
    {
        var alice = await ApiClient.RegisterAsync(_factory.CreateClient(), "alice");
        var response = await alice.Http.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
