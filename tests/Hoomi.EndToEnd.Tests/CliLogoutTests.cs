using System.Net;
using System.Net.Http.Headers;
using Hoomi.Client.Storage;

namespace Hoomi.EndToEnd.Tests;

/// <summary><c>hoomi logout</c> revokes the account's tokens on the server, not only on this device.</summary>
public sealed partial class CliEndToEndTests
{
    [Test]
    public async Task Logout_revokes_the_tokens_on_the_server_and_forgets_them_here()
    {
        var home = Path.Combine(_work, "logout-" + Guid.NewGuid().ToString("N")[..8]);
        var email = $"lou-{Guid.NewGuid().ToString("N")[..8]}@example.com";
        AssertOk(await HoomiAsync(home, Infrastructure.TestUser.Password + "\n", "register", email, "--password-stdin"));
        var token = new HoomiHome(home).LoadSession()!.AccessToken;

        var logout = await HoomiAsync(home, null, "logout");
        AssertOk(logout);
        Assert.That(logout.Out, Does.Contain("every session of the account has ended"));
        Assert.That(new HoomiHome(home).LoadSession(), Is.Null, "the tokens are forgotten here");

        using var http = new HttpClient { BaseAddress = _api.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.That((await http.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "and refused by the server");

        var list = await HoomiAsync(home, null, "hoomi", "list");
        Assert.That(list.ExitCode, Is.EqualTo(1));
        AssertOk(await HoomiAsync(home, null, "logout"));
    }
}
