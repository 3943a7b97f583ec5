using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;

namespace Hoomi.Api.Tests.Accounts;

/// <summary>Local accounts of the embedded default: ASP.NET Core Identity's endpoints under <c>/auth</c>.</summary>
public sealed class LocalAccountTests
{
    private HoomiApiFactory _factory = null!;

    [OneTimeSetUp]
    public void StartApi() => _factory = HoomiApiFactory.OnPostgres();

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    private static string NewEmail() => "user-" + Guid.NewGuid().ToString("N")[..10] + "@example.com";

    private static async Task<string> RegisterAsync(HttpClient http)
    {
        var email = NewEmail();
        var response = await http.PostAsJsonAsync("/auth/register", new { email, password = ApiClient.Password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return email;
    }

    private static async Task<JsonObject> LoginAsync(HttpClient http, string email)
    {
        var response = await http.PostAsJsonAsync("/auth/login", new { email, password = ApiClient.Password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<HttpResponseMessage> GetMeAsync(HttpClient http, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await http.SendAsync(request);
    }

    [Test]
    public async Task Register_then_log_in_gives_a_bearer_token_that_identifies_the_caller_on_me()
    {
        var http = _factory.CreateClient();
        var email = await RegisterAsync(http);

        var login = await LoginAsync(http, email);
        Assert.Multiple(() =>
        {
            Assert.That(login["tokenType"]!.GetValue<string>(), Is.EqualTo("Bearer"));
            Assert.That(login["accessToken"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(login["refreshToken"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(login["expiresIn"]!.GetValue<long>(), Is.EqualTo(3600), "one hour by default (Hoomi:Auth:AccessTokenLifetime)");
        });

        var me = await GetMeAsync(http, login["accessToken"]!.GetValue<string>());
        Assert.That(me.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = (await me.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Multiple(() =>
        {
            Assert.That(Guid.TryParse(body["userId"]!.GetValue<string>(), out var id) && id != Guid.Empty, Is.True);
            Assert.That(body["userName"]!.GetValue<string>(), Is.EqualTo(email), "the user name is the e-mail");
        });
    }

    [Test]
    public async Task Refresh_gives_a_new_access_token_that_works()
    {
        var http = _factory.CreateClient();
        var email = await RegisterAsync(http);
        var login = await LoginAsync(http, email);
        var firstMe = await (await GetMeAsync(http, login["accessToken"]!.GetValue<string>())).Content.ReadFromJsonAsync<JsonObject>();

        var refresh = await http.PostAsJsonAsync("/auth/refresh", new { refreshToken = login["refreshToken"]!.GetValue<string>() });
        Assert.That(refresh.StatusCode, Is.EqualTo(HttpStatusCode.OK), await refresh.Content.ReadAsStringAsync());
        var renewed = (await refresh.Content.ReadFromJsonAsync<JsonObject>())!;
        var newToken = renewed["accessToken"]!.GetValue<string>();
        Assert.That(newToken, Is.Not.EqualTo(login["accessToken"]!.GetValue<string>()));

        var me = await GetMeAsync(http, newToken);
        Assert.That(me.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = (await me.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.That(body["userId"]!.GetValue<string>(), Is.EqualTo(firstMe!["userId"]!.GetValue<string>()));
    }

    [Test]
    public async Task An_invalid_refresh_token_is_a_401()
    {
        var http = _factory.CreateClient();
        var response = await http.PostAsJsonAsync("/auth/refresh", new { refreshToken = "not-a-refresh-token" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task An_access_token_is_not_accepted_as_a_refresh_token()
    {
        var http = _factory.CreateClient();
        var login = await LoginAsync(http, await RegisterAsync(http));
        var response = await http.PostAsJsonAsync("/auth/refresh", new { refreshToken = login["accessToken"]!.GetValue<string>() });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_wrong_password_is_a_401_problem()
    {
        var http = _factory.CreateClient();
        var email = await RegisterAsync(http);

        var response = await http.PostAsJsonAsync("/auth/login", new { email, password = "Wr0ng-password!" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var problem = await ApiClient.ProblemOf(response);
        Assert.That(problem["status"]!.GetValue<int>(), Is.EqualTo(401));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("accessToken"));
    }

    [Test]
    public async Task An_unknown_account_is_a_401_problem_like_a_wrong_password()
    {
        var http = _factory.CreateClient();
        var response = await http.PostAsJsonAsync("/auth/login", new { email = NewEmail(), password = ApiClient.Password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        await ApiClient.ProblemOf(response);
    }

    [Test]
    public async Task Registering_the_same_e_mail_twice_is_a_400_validation_problem()
    {
        var http = _factory.CreateClient();
        var email = await RegisterAsync(http);

        var response = await http.PostAsJsonAsync("/auth/register", new { email, password = ApiClient.Password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var problem = await ApiClient.ProblemOf(response);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Has.Some.StartsWith("Duplicate"));
    }

    [TestCase("short")]
    [TestCase("alllowercase-and-long")]
    public async Task A_weak_password_is_a_400_with_the_password_rules_broken(string password)
    {
        var http = _factory.CreateClient();
        var response = await http.PostAsJsonAsync("/auth/register", new { email = NewEmail(), password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var problem = await ApiClient.ProblemOf(response);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Has.Some.StartsWith("Password"));
    }

    [Test]
    public async Task An_invalid_e_mail_is_a_400_validation_problem()
    {
        var http = _factory.CreateClient();
        var response = await http.PostAsJsonAsync("/auth/register", new { email = "not-an-email", password = ApiClient.Password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await ApiClient.ProblemOf(response))["errors"]!.AsObject().Select(e => e.Key), Has.Some.Contains("Email"));
    }

    [TestCase("/auth/login", "{\"email\":")]
    [TestCase("/auth/register", "nonsense")]
    [TestCase("/auth/refresh", "{\"refreshToken\":42}")]
    public async Task Malformed_json_to_the_account_endpoints_is_a_400_never_a_5xx(string path, string body)
    {
        var http = _factory.CreateClient();
        var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Me_without_a_token_or_with_a_forged_token_is_a_401()
    {
        var http = _factory.CreateClient();
        Assert.That((await http.GetAsync("/me")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await GetMeAsync(http, "CfDJ8forged-token")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
