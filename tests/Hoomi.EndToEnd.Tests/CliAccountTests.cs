using System.Net;
using System.Net.Http.Headers;
using Hoomi.Client.Storage;

namespace Hoomi.EndToEnd.Tests;

/// <summary><c>hoomi logout</c> revokes the account's tokens on the server; invitations are listed, accepted and declined.</summary>
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

    [Test]
    public async Task Invitations_are_listed_then_accepted_or_declined_and_only_acceptance_makes_a_member()
    {
        using var owner = await Infrastructure.TestUser.CreateAsync(_api, "olga");
        using var guest = await Infrastructure.TestUser.CreateAsync(_api, "gus");
        var garden = (await owner.Client.CreateHoomiAsync("Garden")).Id;
        var attic = (await owner.Client.CreateHoomiAsync("Attic")).Id;
        AssertOk(await HoomiAsync(owner.HomeDirectory, null, "hoomi", "add-member", "Garden", guest.Email));
        AssertOk(await HoomiAsync(owner.HomeDirectory, null, "hoomi", "add-member", "Attic", guest.Email));
        var unknown = await HoomiAsync(owner.HomeDirectory, null, "hoomi", "add-member", "Attic", "nobody-" + Guid.NewGuid().ToString("N")[..8] + "@example.com");
        AssertOk(unknown);
        Assert.That(unknown.Out, Does.StartWith("Invited nobody-"), "the same answer for a name without an account");

        var list = await HoomiAsync(guest.HomeDirectory, null, "invitations", "--json");
        AssertOk(list);
        using (var json = System.Text.Json.JsonDocument.Parse(list.Out))
        {
            Assert.That(json.RootElement.EnumerateArray().Select(i => i.GetProperty("hoomiName").GetString()), Is.EquivalentTo(new[] { "Garden", "Attic" }));
            Assert.That(json.RootElement.EnumerateArray().Select(i => i.GetProperty("invitedByUserName").GetString()).Distinct(), Is.EqualTo(new[] { owner.Email }));
        }

        Assert.That((await owner.Client.ListMembersAsync(garden)).Select(m => m.UserName), Is.EqualTo(new[] { owner.Email }), "not a member before accepting");
        var accept = await HoomiAsync(guest.HomeDirectory, null, "accept", "Garden");
        AssertOk(accept);
        Assert.That(accept.LastLine, Is.EqualTo(garden.ToString()));
        AssertOk(await HoomiAsync(guest.HomeDirectory, null, "decline", attic.ToString()));

        Assert.That((await owner.Client.ListMembersAsync(garden)).Select(m => m.UserName), Is.EquivalentTo(new[] { owner.Email, guest.Email }));
        Assert.That((await owner.Client.ListMembersAsync(attic)).Select(m => m.UserName), Is.EqualTo(new[] { owner.Email }));
        Assert.That((await guest.Client.ListHoomisAsync()).Select(h => h.Id), Is.EqualTo(new[] { garden }));
        var none = await HoomiAsync(guest.HomeDirectory, null, "invitations");
        AssertOk(none);
        Assert.That(none.Out, Does.Contain("No pending invitations."));
        var again = await HoomiAsync(guest.HomeDirectory, null, "accept", "Attic");
        Assert.That(again.ExitCode, Is.EqualTo(1));
        Assert.That(again.Error, Does.Contain("no pending invitation"));
    }
}
