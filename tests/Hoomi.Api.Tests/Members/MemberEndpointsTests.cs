using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;

namespace Hoomi.Api.Tests.Members;

public sealed class MemberEndpointsTests
{
    private HoomiApiFactory _factory = null!;

    [OneTimeSetUp]
    public void StartApi() => _factory = HoomiApiFactory.OnPostgres();

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    private Task<ApiClient> UserAsync(string name) => ApiClient.RegisterAsync(_factory.CreateClient(), name);

    private static async Task<JsonArray> MembersAsync(ApiClient who, Guid hoomiId)
    {
        var response = await who.Http.GetAsync($"/hoomis/{hoomiId}/members");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
    }

    private static JsonObject MemberOf(JsonArray members, ApiClient who) =>
        members.Single(m => m!["userId"]!.GetValue<string>() == who.UserId.ToString())!.AsObject();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<JsonArray> InvitationsAsync(ApiClient who)
    {
        var response = await who.Http.GetAsync("/me/invitations");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
    }

    [Test]
    public async Task An_owner_invites_by_user_name_and_after_accepting_both_see_the_member_list()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var hoomi = await alice.CreateHoomiAsync("Invited");

        var response = await alice.Http.PostAsJsonAsync($"/hoomis/{hoomi}/members", new { userName = bob.UserName });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        Assert.That(await response.Content.ReadAsStringAsync(), Is.Empty, "no details of the invitee");

        var pending = await InvitationsAsync(bob);
        Assert.That(pending, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(pending[0]!["hoomiId"]!.GetValue<string>(), Is.EqualTo(hoomi.ToString()));
            Assert.That(pending[0]!["hoomiName"]!.GetValue<string>(), Is.EqualTo("Invited"));
            Assert.That(pending[0]!["invitedByUserName"]!.GetValue<string>(), Is.EqualTo(alice.UserName));
        });

        await bob.AcceptAsync(hoomi);
        Assert.That(await InvitationsAsync(bob), Is.Empty);
        foreach (var viewer in new[] { alice, bob })
        {
            var members = await MembersAsync(viewer, hoomi);
            Assert.That(members.Select(m => m!["userName"]!.GetValue<string>()), Is.EquivalentTo(new[] { alice.UserName, bob.UserName }));
            Assert.That(MemberOf(members, alice)["role"]!.GetValue<string>(), Is.EqualTo("Owner"));
            Assert.That(MemberOf(members, bob)["role"]!.GetValue<string>(), Is.EqualTo("Member"));
        }

        var bobsView = (await bob.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{hoomi}"))!;
        Assert.That(bobsView["memberCount"]!.GetValue<int>(), Is.EqualTo(2));
    }

    [Test]
    public async Task Until_the_invitee_accepts_they_are_no_member_and_their_keys_are_shown_to_nobody()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        await bob.RegisterDeviceKeyAsync();
        var hoomi = await alice.CreateHoomiAsync();
        await alice.InviteAsync(hoomi, bob.UserName);

        var members = await MembersAsync(alice, hoomi);
        Assert.That(members.Select(m => m!["userId"]!.GetValue<string>()), Is.EqualTo(new[] { alice.UserId.ToString() }), "no keys to wrap for yet");
        Assert.That((await alice.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{hoomi}"))!["memberCount"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That((await bob.Http.GetAsync($"/hoomis/{hoomi}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await bob.Http.GetAsync($"/hoomis/{hoomi}/members")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await bob.Http.GetAsync($"/hoomis/{hoomi}/media")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await bob.Http.GetFromJsonAsync<JsonObject>("/hoomis"))!["items"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task An_unknown_name_and_an_existing_account_get_the_same_answer()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var hoomi = await alice.CreateHoomiAsync();

        var existing = await alice.Http.PostAsJsonAsync($"/hoomis/{hoomi}/members", new { userName = bob.UserName });
        var unknown = await alice.Http.PostAsJsonAsync($"/hoomis/{hoomi}/members", new { userName = "nobody-" + Guid.NewGuid() + "@example.com" });
        var again = await alice.Http.PostAsJsonAsync($"/hoomis/{hoomi}/members", new { userName = bob.UserName });
        Assert.Multiple(async () =>
        {
            foreach (var r in new[] { existing, unknown, again })
            {
                Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
                Assert.That(await r.Content.ReadAsStringAsync(), Is.Empty);
                Assert.That(r.Headers.Location, Is.Null);
            }
        });
        Assert.That(await InvitationsAsync(bob), Has.Count.EqualTo(1), "inviting again changes nothing");
        Assert.That(await MembersAsync(alice, hoomi), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_declined_invitation_is_gone_and_can_be_sent_again()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var hoomi = await alice.CreateHoomiAsync();
        await alice.InviteAsync(hoomi, bob.UserName);

        var decline = await bob.Http.PostAsync($"/me/invitations/{hoomi}/decline", null);
        Assert.That(decline.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await decline.Content.ReadAsStringAsync());
        Assert.That(await InvitationsAsync(bob), Is.Empty);
        var accept = await bob.Http.PostAsync($"/me/invitations/{hoomi}/accept", null);
        Assert.That(accept.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        await ApiClient.ProblemOf(accept);
        Assert.That(await MembersAsync(alice, hoomi), Has.Count.EqualTo(1));

        await alice.AddMemberAsync(hoomi, bob);
        Assert.That(await MembersAsync(alice, hoomi), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Nobody_accepts_or_declines_an_invitation_they_do_not_have()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var mallory = await UserAsync("mallory");
        var hoomi = await alice.CreateHoomiAsync();
        await alice.InviteAsync(hoomi, bob.UserName);

        Assert.Multiple(async () =>
        {
            Assert.That((await mallory.Http.PostAsync($"/me/invitations/{hoomi}/accept", null)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await mallory.Http.PostAsync($"/me/invitations/{hoomi}/decline", null)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await bob.Http.PostAsync($"/me/invitations/{Guid.NewGuid()}/accept", null)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await _factory.CreateClient().GetAsync("/me/invitations")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
        Assert.That(await InvitationsAsync(mallory), Is.Empty);
        Assert.That(await MembersAsync(alice, hoomi), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_user_name_is_matched_after_trimming_surrounding_spaces()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var hoomi = await alice.CreateHoomiAsync();

        await alice.InviteAsync(hoomi, "  " + bob.UserName + " ");
        Assert.That(await InvitationsAsync(bob), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_user_name_is_matched_whatever_its_case()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var hoomi = await alice.CreateHoomiAsync();

        await alice.InviteAsync(hoomi, bob.UserName.ToUpperInvariant());
        await bob.AcceptAsync(hoomi);
        Assert.That(MemberOf(await MembersAsync(alice, hoomi), bob)["userName"]!.GetValue<string>(), Is.EqualTo(bob.UserName), "the account's own spelling");
    }

    [Test]
    public async Task The_member_list_shows_each_members_active_device_keys_only()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var aliceKey = await alice.RegisterDeviceKeyAsync();
        var bobPhone = await bob.RegisterDeviceKeyAsync();
        var bobLaptop = await bob.RegisterDeviceKeyAsync();
        var hoomi = await alice.CreateHoomiAsync();
        await alice.AddMemberAsync(hoomi, bob);

        var before = await MembersAsync(alice, hoomi);
        Assert.Multiple(() =>
        {
            Assert.That(MemberOf(before, alice)["keys"]!.AsArray().Select(k => k!["keyId"]!.GetValue<string>()), Is.EqualTo(new[] { aliceKey.KeyId }));
            Assert.That(MemberOf(before, alice)["keys"]![0]!["publicKey"]!.GetValue<string>(), Is.EqualTo(aliceKey.PublicKeyBase64Url));
            Assert.That(MemberOf(before, bob)["keys"]!.AsArray().Select(k => k!["keyId"]!.GetValue<string>()),
                Is.EquivalentTo(new[] { bobPhone.KeyId, bobLaptop.KeyId }));
        });

        var revoke = await bob.Http.DeleteAsync($"/me/keys/{bobPhone.KeyId}");
        Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        var after = await MembersAsync(alice, hoomi);
        Assert.That(MemberOf(after, bob)["keys"]!.AsArray().Select(k => k!["keyId"]!.GetValue<string>()), Is.EqualTo(new[] { bobLaptop.KeyId }));
    }

    [Test]
    public async Task Inviting_a_member_is_a_409()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var hoomi = await alice.CreateHoomiAsync();
        await alice.AddMemberAsync(hoomi, bob);

        var again = await alice.Http.PostAsJsonAsync($"/hoomis/{hoomi}/members", new { userName = bob.UserName });
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await ApiClient.ProblemOf(again))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:already-member"));

        var self = await alice.Http.PostAsJsonAsync($"/hoomis/{hoomi}/members", new { userName = alice.UserName });
        Assert.That(self.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "the owner is a member already");
    }

    [TestCase("{\"userName\":\"\"}")]
    [TestCase("{\"userName\":\"   \"}")]
    [TestCase("{\"userName\":null}")]
    [TestCase("{}")]
    public async Task A_missing_or_blank_user_name_is_a_400_with_the_field_error(string body)
    {
        var alice = await UserAsync("alice");
        var hoomi = await alice.CreateHoomiAsync();

        var response = await alice.Http.PostAsync($"/hoomis/{hoomi}/members", Json(body));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await ApiClient.ProblemOf(response))["errors"]!["userName"], Is.Not.Null);
    }

    [Test]
    public async Task A_huge_user_name_is_a_400_with_the_field_error()
    {
        var alice = await UserAsync("alice");
        var hoomi = await alice.CreateHoomiAsync();

        var response = await alice.Http.PostAsJsonAsync($"/hoomis/{hoomi}/members", new { userName = new string('b', 100_000) });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await ApiClient.ProblemOf(response))["errors"]!["userName"], Is.Not.Null);
    }

    [TestCase("{\"userName\":")]
    [TestCase("{\"userName\":42}")]
    [TestCase("{\"userName\":[\"a\"]}")]
    [TestCase("nonsense")]
    public async Task Malformed_json_or_wrong_types_for_add_member_are_a_400_problem(string body)
    {
        var alice = await UserAsync("alice");
        var hoomi = await alice.CreateHoomiAsync();

        var response = await alice.Http.PostAsync($"/hoomis/{hoomi}/members", Json(body));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        await ApiClient.ProblemOf(response);
    }

    [Test]
    public async Task Requests_without_a_token_get_401()
    {
        var anonymous = _factory.CreateClient();
        var hoomi = Guid.NewGuid();
        Assert.Multiple(async () =>
        {
            Assert.That((await anonymous.GetAsync($"/hoomis/{hoomi}/members")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await anonymous.PostAsJsonAsync($"/hoomis/{hoomi}/members", new { userName = "x" })).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await anonymous.DeleteAsync($"/hoomis/{hoomi}/members/{Guid.NewGuid()}")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task An_outsider_gets_404_for_every_member_endpoint_and_changes_nothing()
    {
        var alice = await UserAsync("alice");
        var mallory = await UserAsync("mallory");
        var hoomi = await alice.CreateHoomiAsync();

        var list = await mallory.Http.GetAsync($"/hoomis/{hoomi}/members");
        var add = await mallory.Http.PostAsJsonAsync($"/hoomis/{hoomi}/members", new { userName = mallory.UserName });
        var remove = await mallory.Http.DeleteAsync($"/hoomis/{hoomi}/members/{alice.UserId}");
        var leave = await mallory.Http.DeleteAsync($"/hoomis/{hoomi}/members/{mallory.UserId}");
        Assert.Multiple(() =>
        {
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(add.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(remove.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(leave.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
        Assert.That((await MembersAsync(alice, hoomi)).Select(m => m!["userId"]!.GetValue<string>()), Is.EqualTo(new[] { alice.UserId.ToString() }));
    }

    [Test]
    public async Task Member_endpoints_of_an_unknown_hoomi_are_a_404()
    {
        var alice = await UserAsync("alice");
        var response = await alice.Http.GetAsync($"/hoomis/{Guid.NewGuid()}/members");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        await ApiClient.ProblemOf(response);
    }

    [Test]
    public async Task A_member_who_is_not_owner_gets_403_when_adding_a_member()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var carol = await UserAsync("carol");
        var hoomi = await alice.CreateHoomiAsync();
        await alice.AddMemberAsync(hoomi, bob);

        var response = await bob.Http.PostAsJsonAsync($"/hoomis/{hoomi}/members", new { userName = carol.UserName });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await ApiClient.ProblemOf(response))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:owner-required"));
        Assert.That(await MembersAsync(alice, hoomi), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_member_who_is_not_owner_gets_403_when_removing_someone_else()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var carol = await UserAsync("carol");
        var hoomi = await alice.CreateHoomiAsync();
        await alice.AddMemberAsync(hoomi, bob);
        await alice.AddMemberAsync(hoomi, carol);

        var removeCarol = await bob.Http.DeleteAsync($"/hoomis/{hoomi}/members/{carol.UserId}");
        var removeOwner = await bob.Http.DeleteAsync($"/hoomis/{hoomi}/members/{alice.UserId}");
        Assert.Multiple(() =>
        {
            Assert.That(removeCarol.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(removeOwner.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
        Assert.That(await MembersAsync(alice, hoomi), Has.Count.EqualTo(3));
    }

    [Test]
    public async Task An_owner_removes_a_member_who_then_no_longer_sees_the_hoomi()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var hoomi = await alice.CreateHoomiAsync();
        await alice.AddMemberAsync(hoomi, bob);

        var response = await alice.Http.DeleteAsync($"/hoomis/{hoomi}/members/{bob.UserId}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await MembersAsync(alice, hoomi)).Select(m => m!["userId"]!.GetValue<string>()), Is.EqualTo(new[] { alice.UserId.ToString() }));
        Assert.That((await bob.Http.GetAsync($"/hoomis/{hoomi}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await bob.Http.GetAsync($"/hoomis/{hoomi}/members")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_member_leaves_with_204_and_then_gets_404_for_the_hoomi()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var hoomi = await alice.CreateHoomiAsync();
        await alice.AddMemberAsync(hoomi, bob);

        var leave = await bob.Http.DeleteAsync($"/hoomis/{hoomi}/members/{bob.UserId}");
        Assert.That(leave.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        Assert.That((await bob.Http.GetAsync($"/hoomis/{hoomi}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var bobsList = (await bob.Http.GetFromJsonAsync<JsonObject>("/hoomis"))!["items"]!.AsArray();
        Assert.That(bobsList, Is.Empty);
        Assert.That(await MembersAsync(alice, hoomi), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_removed_member_can_be_added_again()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var hoomi = await alice.CreateHoomiAsync();
        await alice.AddMemberAsync(hoomi, bob);
        var leave = await bob.Http.DeleteAsync($"/hoomis/{hoomi}/members/{bob.UserId}");
        Assert.That(leave.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        await alice.AddMemberAsync(hoomi, bob);
        Assert.That(await MembersAsync(bob, hoomi), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task The_last_owner_cannot_leave_409_and_stays_owner()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var hoomi = await alice.CreateHoomiAsync();
        await alice.AddMemberAsync(hoomi, bob);

        var response = await alice.Http.DeleteAsync($"/hoomis/{hoomi}/members/{alice.UserId}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await ApiClient.ProblemOf(response))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:last-owner"));
        Assert.That(MemberOf(await MembersAsync(alice, hoomi), alice)["role"]!.GetValue<string>(), Is.EqualTo("Owner"));
    }

    [Test]
    public async Task The_sole_member_who_owns_the_hoomi_cannot_leave_it_either()
    {
        var alice = await UserAsync("alice");
        var hoomi = await alice.CreateHoomiAsync();

        var response = await alice.Http.DeleteAsync($"/hoomis/{hoomi}/members/{alice.UserId}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await alice.Http.GetAsync($"/hoomis/{hoomi}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Removing_a_user_who_is_not_a_member_is_a_409_problem_not_a_5xx()
    {
        var alice = await UserAsync("alice");
        var hoomi = await alice.CreateHoomiAsync();

        var response = await alice.Http.DeleteAsync($"/hoomis/{hoomi}/members/{Guid.NewGuid()}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await ApiClient.ProblemOf(response))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:not-a-member"));
    }

    [TestCase("not-a-guid")]
    [TestCase("123")]
    public async Task An_invalid_user_id_in_the_path_is_a_404_not_a_5xx(string userId)
    {
        var alice = await UserAsync("alice");
        var hoomi = await alice.CreateHoomiAsync();

        var response = await alice.Http.DeleteAsync($"/hoomis/{hoomi}/members/{userId}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
