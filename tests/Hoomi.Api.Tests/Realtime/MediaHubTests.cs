using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Realtime;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Hoomi.Api.Tests.Realtime;

/// <summary>The hub over a real Kestrel socket with the real SignalR client (WebSockets), one API instance.</summary>
[TestFixture]
public sealed class MediaHubTests
{
    private static readonly string[] MediaUploadedFields = ["cursor", "hoomiId", "mediaId", "uploaderId", "mimeType", "size", "createdAt"];
    private static readonly string[] MemberFields = ["cursor", "hoomiId", "userId"];

    private RealtimeServer _server = null!;
    private readonly List<EventInbox> _inboxes = [];

    [OneTimeSetUp]
    public void StartServer() => _server = RealtimeServer.Start();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [TearDown]
    public async Task CloseConnections()
    {
        foreach (var inbox in _inboxes)
        {
            await inbox.DisposeAsync();
        }

        _inboxes.Clear();
    }

    private Task<RealtimeUser> UserAsync(string name) => RealtimeUser.CreateAsync(_server.RegisterAsync, name);

    private async Task<EventInbox> ConnectAsync(RealtimeUser user)
    {
        var inbox = await _server.ConnectAsync(user.Api);
        _inboxes.Add(inbox);
        return inbox;
    }

    private async Task<(RealtimeUser Alice, RealtimeUser Bob, Guid Hoomi)> AliceAndBobAsync()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var hoomi = await alice.Api.CreateHoomiAsync();
        await alice.Api.AddMemberAsync(hoomi, bob.Api);
        return (alice, bob, hoomi);
    }

    [Test]
    public async Task An_invitee_is_not_wrapped_for_and_gets_no_events_until_accepting()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var hoomi = await alice.Api.CreateHoomiAsync();
        var bobInbox = await ConnectAsync(bob);
        await alice.Api.InviteAsync(hoomi, bob.Api.UserName);

        // Bob has a device key, yet an upload wrapped for Alice alone is complete: an invitee is not a member.
        var (before, _) = await alice.UploadAsync(hoomi, alice);

        await bob.Api.AcceptAsync(hoomi);
        await bobInbox.WaitForAsync("MemberAdded", hoomi, p => p.GetProperty("userId").GetGuid() == bob.Id);
        var (after, _) = await alice.UploadAsync(hoomi, alice, bob);
        await bobInbox.WaitForAsync("MediaUploaded", hoomi, p => p.GetProperty("mediaId").GetGuid() == after);

        Assert.That(bobInbox.About(hoomi).Where(e => e.Type == "MediaUploaded").Select(e => e.Payload.GetProperty("mediaId").GetGuid()),
            Is.EqualTo(new[] { after }), "nothing from before Bob accepted");
        Assert.That(before, Is.Not.EqualTo(after));
    }

    [Test]
    public async Task A_member_receives_MediaUploaded_with_exactly_the_public_fields()
    {
        var (alice, bob, hoomi) = await AliceAndBobAsync();
        var bobInbox = await ConnectAsync(bob);

        var (mediaId, started) = await alice.UploadAsync(hoomi, alice, bob);
        var received = await bobInbox.WaitForAsync("MediaUploaded", hoomi);

        TestContext.Out.WriteLine($"MediaUploaded reached the member {Latency.MillisecondsSince(started, received.ReceivedAt):F1} ms after the upload request started");
        Assert.That(received.FieldNames, Is.EquivalentTo(MediaUploadedFields), received.Payload.ToString());
        var p = received.Payload;
        Assert.Multiple(() =>
        {
            Assert.That(p.GetProperty("mediaId").GetGuid(), Is.EqualTo(mediaId));
            Assert.That(p.GetProperty("uploaderId").GetGuid(), Is.EqualTo(alice.Id));
            Assert.That(p.GetProperty("mimeType").GetString(), Is.EqualTo("image/jpeg"));
            Assert.That(p.GetProperty("size").GetInt64(), Is.GreaterThan(0));
            Assert.That(p.GetProperty("createdAt").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
            Assert.That(p.GetProperty("cursor").GetString(), Is.Not.Empty);
        });
    }

    [Test]
    public async Task Member_events_carry_exactly_the_hoomi_and_the_user()
    {
        var (alice, bob, hoomi) = await AliceAndBobAsync();
        var carol = await UserAsync("carol");
        var aliceInbox = await ConnectAsync(alice);

        await alice.Api.AddMemberAsync(hoomi, carol.Api);
        await alice.Api.RemoveMemberAsync(hoomi, carol.Api);

        var added = await aliceInbox.WaitForAsync("MemberAdded", hoomi);
        var removed = await aliceInbox.WaitForAsync("MemberRemoved", hoomi);
        Assert.Multiple(() =>
        {
            Assert.That(added.FieldNames, Is.EquivalentTo(MemberFields));
            Assert.That(removed.FieldNames, Is.EquivalentTo(MemberFields));
            Assert.That(added.Payload.GetProperty("userId").GetGuid(), Is.EqualTo(carol.Id));
            Assert.That(removed.Payload.GetProperty("userId").GetGuid(), Is.EqualTo(carol.Id));
            Assert.That(long.Parse(removed.Cursor, CultureInfo.InvariantCulture), Is.GreaterThan(long.Parse(added.Cursor, CultureInfo.InvariantCulture)));
        });
        Assert.That(bob.Id, Is.Not.EqualTo(carol.Id));
    }

    [Test]
    public async Task An_outsider_connected_at_the_same_time_receives_nothing()
    {
        var (alice, bob, hoomi) = await AliceAndBobAsync();
        var mallory = await UserAsync("mallory");
        var bobInbox = await ConnectAsync(bob);
        var malloryInbox = await ConnectAsync(mallory);

        await alice.UploadAsync(hoomi, alice, bob);
        await alice.Api.AddMemberAsync(hoomi, (await UserAsync("carol")).Api);
        await bobInbox.WaitForAsync("MemberAdded", hoomi);
        await mallory.FlushAsync(malloryInbox);

        Assert.That(malloryInbox.About(hoomi), Is.Empty);
    }

    [Test]
    public async Task A_user_added_while_connected_receives_the_hoomis_events_at_once()
    {
        var (alice, bob, hoomi) = await AliceAndBobAsync();
        var carol = await UserAsync("carol");
        var carolInbox = await ConnectAsync(carol);

        await alice.Api.AddMemberAsync(hoomi, carol.Api);
        var added = await carolInbox.WaitForAsync("MemberAdded", hoomi);
        var (mediaId, _) = await alice.UploadAsync(hoomi, alice, bob, carol);

        Assert.That(added.Payload.GetProperty("userId").GetGuid(), Is.EqualTo(carol.Id));
        await carolInbox.WaitForAsync("MediaUploaded", hoomi, p => p.GetProperty("mediaId").GetGuid() == mediaId);
    }

    [Test]
    public async Task The_creator_of_a_hoomi_hears_its_events_on_connections_opened_before_it_existed()
    {
        var alice = await UserAsync("alice");
        var aliceInbox = await ConnectAsync(alice);

        var hoomi = await alice.Api.CreateHoomiAsync();
        var (mediaId, _) = await alice.UploadAsync(hoomi, alice);

        var joined = await aliceInbox.WaitForAsync("MemberAdded", hoomi);
        await aliceInbox.WaitForAsync("MediaUploaded", hoomi, p => p.GetProperty("mediaId").GetGuid() == mediaId);
        Assert.That(joined.Payload.GetProperty("userId").GetGuid(), Is.EqualTo(alice.Id));
    }

    [Test]
    public async Task A_removed_member_hears_nothing_more_on_any_of_their_connections()
    {
        var (alice, bob, hoomi) = await AliceAndBobAsync();
        var aliceInbox = await ConnectAsync(alice);
        var phone = await ConnectAsync(bob);
        var laptop = await ConnectAsync(bob);

        await alice.Api.RemoveMemberAsync(hoomi, bob.Api);
        var lastOnPhone = await phone.WaitForAsync("MemberRemoved", hoomi);
        await laptop.WaitForAsync("MemberRemoved", hoomi);
        var (mediaId, _) = await alice.UploadAsync(hoomi, alice);
        await alice.Api.AddMemberAsync(hoomi, (await UserAsync("carol")).Api);
        await aliceInbox.WaitForAsync("MediaUploaded", hoomi, p => p.GetProperty("mediaId").GetGuid() == mediaId);
        await aliceInbox.WaitForAsync("MemberAdded", hoomi);
        await bob.FlushAsync(phone, laptop);

        Assert.Multiple(() =>
        {
            Assert.That(lastOnPhone.Payload.GetProperty("userId").GetGuid(), Is.EqualTo(bob.Id));
            Assert.That(phone.About(hoomi).Select(e => e.Type), Is.EqualTo(new[] { "MemberRemoved" }));
            Assert.That(laptop.About(hoomi).Select(e => e.Type), Is.EqualTo(new[] { "MemberRemoved" }));
        });
    }

    [Test]
    public async Task A_connection_without_a_valid_token_is_refused()
    {
        await using var anonymous = _server.Hub(null);
        await using var forged = _server.Hub(null, token: "not-a-token");

        var noToken = Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync());
        var badToken = Assert.ThrowsAsync<HttpRequestException>(() => forged.StartAsync());

        Assert.That(noToken!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(badToken!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_reconnecting_client_catches_up_on_what_it_missed()
    {
        var (alice, bob, hoomi) = await AliceAndBobAsync();
        var aliceInbox = await ConnectAsync(alice);
        var bobInbox = await ConnectAsync(bob);
        await alice.UploadAsync(hoomi, alice, bob);
        var lastSeen = await bobInbox.WaitForAsync("MediaUploaded", hoomi);
        await bobInbox.Connection.StopAsync();

        var (missed1, _) = await alice.UploadAsync(hoomi, alice, bob);
        var (missed2, _) = await alice.UploadAsync(hoomi, alice, bob);
        var carol = await UserAsync("carol");
        await alice.Api.AddMemberAsync(hoomi, carol.Api);
        var aliceSaw = await aliceInbox.WaitForAsync("MemberAdded", hoomi);

        var firstPage = await bob.EventsAsync(hoomi, after: lastSeen.Cursor, limit: 2);
        var secondPage = await bob.EventsAsync(hoomi, after: firstPage["nextCursor"]!.GetValue<string>(), limit: 2);
        JsonObject[] items = [.. firstPage["items"]!.AsArray().Concat(secondPage["items"]!.AsArray()).Select(n => n!.AsObject())];

        Assert.Multiple(() =>
        {
            Assert.That(items.Select(i => (string)i["type"]!), Is.EqualTo(new[] { "MediaUploaded", "MediaUploaded", "MemberAdded" }));
            Assert.That(items.Select(i => (string?)i["mediaId"]), Is.EqualTo(new[] { missed1.ToString(), missed2.ToString(), null }));
            Assert.That((string)items[2]["userId"]!, Is.EqualTo(carol.Id.ToString()));
            Assert.That((string)items[2]["cursor"]!, Is.EqualTo(aliceSaw.Cursor), "the catch-up cursor is the live one");
            Assert.That(items[0].Select(p => p.Key), Is.EquivalentTo(MediaUploadedFields.Append("type")));
            Assert.That(secondPage["nextCursor"], Is.Null, "caught up");
        });

        // Back online from the last cursor it read: the next live event follows on.
        var back = await ConnectAsync(bob);
        var (next, _) = await alice.UploadAsync(hoomi, alice, bob, carol);
        var live = await back.WaitForAsync("MediaUploaded", hoomi, p => p.GetProperty("mediaId").GetGuid() == next);
        Assert.That(long.Parse(live.Cursor, CultureInfo.InvariantCulture), Is.EqualTo(long.Parse((string)items[2]["cursor"]!, CultureInfo.InvariantCulture) + 1));
    }

    [Test]
    public async Task The_latest_cursor_is_the_newest_events_and_reading_after_it_gives_only_what_follows()
    {
        var (alice, bob, hoomi) = await AliceAndBobAsync();
        await alice.UploadAsync(hoomi, alice, bob);
        var journal = (await bob.EventsAsync(hoomi, limit: 500))["items"]!.AsArray();
        var newest = (string)journal[^1]!["cursor"]!;

        var latest = (await bob.Api.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{hoomi}/events/latest"))!;
        var (next, _) = await alice.UploadAsync(hoomi, alice, bob);
        var after = (await bob.EventsAsync(hoomi, after: (string)latest["cursor"]!))["items"]!.AsArray();
        var mallory = await UserAsync("mallory");
        var outsider = await mallory.Api.Http.GetAsync($"/hoomis/{hoomi}/events/latest");
        using var anonymous = _server.CreateHttpClient();
        var noToken = await anonymous.GetAsync($"/hoomis/{hoomi}/events/latest");

        Assert.Multiple(() =>
        {
            Assert.That(latest.Select(p => p.Key), Is.EqualTo(new[] { "cursor" }));
            Assert.That((string)latest["cursor"]!, Is.EqualTo(newest));
            Assert.That(after.Select(i => ((string)i!["type"]!, (string?)i["mediaId"])), Is.EqualTo(new[] { ("MediaUploaded", (string?)next.ToString()) }));
            Assert.That(outsider.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(noToken.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task The_event_log_is_for_members_only_and_refuses_a_malformed_cursor()
    {
        var (alice, _, hoomi) = await AliceAndBobAsync();
        var mallory = await UserAsync("mallory");

        var outsider = await mallory.Api.Http.GetAsync($"/hoomis/{hoomi}/events");
        var malformed = await alice.Api.Http.GetAsync($"/hoomis/{hoomi}/events?after=abc");
        var tooMany = await alice.Api.Http.GetAsync($"/hoomis/{hoomi}/events?limit=100000");
        using var anonymous = _server.CreateHttpClient();
        var noToken = await anonymous.GetAsync($"/hoomis/{hoomi}/events");

        Assert.Multiple(() =>
        {
            Assert.That(outsider.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(malformed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(tooMany.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(noToken.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Live_connections_and_events_sent_are_measured()
    {
        var meterFactory = _server.Services.GetRequiredService<IMeterFactory>();
        long opened = 0, closed = 0;
        var sent = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == RealtimeMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meterFactory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (sent)
            {
                if (instrument.Name == "hoomi.signalr.connections")
                {
                    // Counted apart: a connection of an earlier test may still be closing on the server.
                    if (value > 0)
                    {
                        opened += value;
                    }
                    else
                    {
                        closed -= value;
                    }
                }
                else if (instrument.Name == "hoomi.signalr.events_sent")
                {
                    var type = (string)tags.ToArray().Single(t => t.Key == "type").Value!;
                    sent[type] = sent.GetValueOrDefault(type) + value;
                }
            }
        });
        listener.Start();
        var (alice, bob, hoomi) = await AliceAndBobAsync();

        var inbox = await ConnectAsync(bob);
        var second = await ConnectAsync(bob); // returns after the hub's Joined(), so OnConnectedAsync has run
        long openedNow;
        lock (sent)
        {
            openedNow = opened;
        }

        await alice.UploadAsync(hoomi, alice, bob);
        await inbox.WaitForAsync("MediaUploaded", hoomi);
        await second.Connection.StopAsync();
        await inbox.Connection.StopAsync();
        for (var i = 0; i < 100 && Interlocked.Read(ref closed) < 2; i++)
        {
            await Task.Delay(50); // the server sees the close a moment after the client
        }

        lock (sent)
        {
            Assert.Multiple(() =>
            {
                Assert.That(openedNow, Is.EqualTo(2));
                Assert.That(closed, Is.GreaterThanOrEqualTo(2));
                Assert.That(sent.GetValueOrDefault("MediaUploaded"), Is.EqualTo(1));
            });
        }
    }
}
