using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Api.Tests.Realtime;

namespace Hoomi.Api.Tests.Accounts;

/// <summary>Logout and a password change revoke the account's issued tokens, on every endpoint and on the hub.</summary>
public sealed class TokenRevocationTests
{
    private HoomiApiFactory _factory = null!;

    [OneTimeSetUp]
    public void StartApi() => _factory = HoomiApiFactory.OnPostgres();

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    private async Task<(string Email, JsonObject Login)> RegisterAndLoginAsync()
    {
        var http = _factory.CreateClient();
        var email = "user-" + Guid.NewGuid().ToString("N")[..10] + "@example.com";
        Assert.That((await http.PostAsJsonAsync("/auth/register", new { email, password = ApiClient.Password })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return (email, await LoginAsync(email, ApiClient.Password));
    }

    private async Task<JsonObject> LoginAsync(string email, string password)
    {
        var response = await _factory.CreateClient().PostAsJsonAsync("/auth/login", new { email, password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, JsonObject login, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", login["accessToken"]!.GetValue<string>());
        return await _factory.CreateClient().SendAsync(request);
    }

    [Test]
    public async Task After_logout_every_token_of_the_account_is_refused_and_a_new_login_works()
    {
        var (email, laptop) = await RegisterAndLoginAsync();
        var phone = await LoginAsync(email, ApiClient.Password);
        Assert.That((await SendAsync(HttpMethod.Get, "/hoomis", laptop)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var logout = await SendAsync(HttpMethod.Post, "/me/logout", laptop);
        Assert.That(logout.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await logout.Content.ReadAsStringAsync());

        Assert.Multiple(async () =>
        {
            var meAfter = await SendAsync(HttpMethod.Get, "/me", laptop);
            Assert.That(meAfter.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), await meAfter.Content.ReadAsStringAsync() + meAfter.Headers);
            Assert.That((await SendAsync(HttpMethod.Get, "/hoomis", phone)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "logout ends every session of the account");
            Assert.That((await SendAsync(HttpMethod.Post, "/me/logout", laptop)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            var refresh = await _factory.CreateClient().PostAsJsonAsync("/auth/refresh", new { refreshToken = laptop["refreshToken"]!.GetValue<string>() });
            Assert.That(refresh.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "refresh tokens are revoked too");
        });

        var again = await LoginAsync(email, ApiClient.Password);
        Assert.That((await SendAsync(HttpMethod.Get, "/me", again)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task After_a_password_change_the_old_tokens_are_refused()
    {
        var (email, login) = await RegisterAndLoginAsync();
        const string newPassword = "N3w-Corr3ct-horse!";
        var change = await SendAsync(HttpMethod.Post, "/auth/manage/info", login, new { oldPassword = ApiClient.Password, newPassword });
        Assert.That(change.StatusCode, Is.EqualTo(HttpStatusCode.OK), await change.Content.ReadAsStringAsync());

        Assert.That((await SendAsync(HttpMethod.Get, "/me", login)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var refresh = await _factory.CreateClient().PostAsJsonAsync("/auth/refresh", new { refreshToken = login["refreshToken"]!.GetValue<string>() });
        Assert.That(refresh.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        var fresh = await LoginAsync(email, newPassword);
        Assert.That((await SendAsync(HttpMethod.Get, "/me", fresh)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Logout_without_a_token_is_a_401()
    {
        Assert.That((await _factory.CreateClient().PostAsync("/me/logout", null)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task The_hub_refuses_a_revoked_token()
    {
        await using var server = RealtimeServer.Start();
        var alice = await server.RegisterAsync("alice");
        var token = alice.Token();
        await using (var before = server.Hub(alice))
        {
            await before.StartAsync();
        }

        Assert.That((await alice.Http.PostAsync("/me/logout", null)).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        await using var header = server.Hub(null, token: token);
        Assert.ThrowsAsync<HttpRequestException>(() => header.StartAsync());
        await using var query = server.Hub(null, token: token, tokenInQuery: true);
        Assert.ThrowsAsync<HttpRequestException>(() => query.StartAsync());
    }
}
