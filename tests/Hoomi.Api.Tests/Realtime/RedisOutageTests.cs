using System.Net;
using System.Net.Http.Headers;
using Hoomi.Api.Realtime;
using Hoomi.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hoomi.Api.Tests.Realtime;

/// <summary>
/// Redis, the backplane two instances share, killed (SIGKILL) and started again empty. Meanwhile a member is
/// removed and media is uploaded. Afterwards: the removed member is refused on both instances and hears nothing
/// more of the hoomi there; the events of the outage are neither lost nor reordered (catch-up has them, and the
/// live ones follow in order once Redis is back); both instances answer and deliver again without a restart.
/// </summary>
[TestFixture]
public sealed class RedisOutageTests
{
    private RedisServer _redis = null!;
    private RealtimeServer _a = null!;
    private RealtimeServer _b = null!;
    private readonly List<EventInbox> _inboxes = [];

    [OneTimeSetUp]
    public void Start()
    {
        _redis = RedisServer.Start();
        var settings = new Dictionary<string, string?>
        {
            [RealtimeSetup.RedisConnectionKey] = _redis.ConnectionString,
            ["Hoomi:Events:RedispatchInterval"] = "00:00:00.500",
            ["Hoomi:Events:RedispatchAfter"] = "00:00:00",
        };
        _a = RealtimeServer.Start(settings);
        _b = RealtimeServer.Start(settings, sameStorageAs: _a);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (var inbox in _inboxes)
        {
            await inbox.DisposeAsync();
        }

        await _b.DisposeAsync();
        await _a.DisposeAsync();
        _redis.Dispose();
    }

    private async Task<EventInbox> ConnectAsync(RealtimeServer server, RealtimeUser user)
    {
        var inbox = await server.ConnectAsync(user.Api);
        _inboxes.Add(inbox);
        return inbox;
    }

    /// <summary>The same account, through the other instance.</summary>
    private static HttpClient On(RealtimeServer server, RealtimeUser user)
    {
        var http = server.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.Api.Token());
        return http;
    }


    [Test]
    public async Task Redis_killed_and_started_again_loses_no_event_and_a_member_removed_meanwhile_is_refused_on_both_instances()
    {
        var alice = await RealtimeUser.CreateAsync(_a.RegisterAsync, "alice");
        var bob = await RealtimeUser.CreateAsync(_a.RegisterAsync, "bob");
        var hoomi = await alice.Api.CreateHoomiAsync();
        await alice.Api.AddMemberAsync(hoomi, bob.Api);
        var bobOnA = await ConnectAsync(_a, bob);
        var bobOnB = await ConnectAsync(_b, bob);
        var (first, _) = await alice.UploadAsync(hoomi, alice, bob);
        var lastSeen = await bobOnB.WaitForAsync("MediaUploaded", hoomi, p => p.GetProperty("mediaId").GetGuid() == first);
        using var bobHttpOnB = On(_b, bob);
        var bobOnAClosed = bobOnA.ClosedAsync();
        var bobOnBClosed = bobOnB.ClosedAsync();

        _redis.Kill();

        // The removal commits on instance A while no other instance can be told.
        await alice.Api.RemoveMemberAsync(hoomi, bob.Api);
        var (during, _) = await alice.UploadAsync(hoomi, alice);

        // Authorization reads the database: refused at once on both instances, Redis or not.
        var onA = await bob.Api.Http.GetAsync($"/hoomis/{hoomi}/media");
        var onB = await bobHttpOnB.GetAsync($"/hoomis/{hoomi}/media");
        Assert.Multiple(() =>
        {
            Assert.That(onA.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "instance A, during the outage");
            Assert.That(onB.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "instance B, during the outage");
        });

        _redis.Restart();

        // Back: each instance resubscribes and closes every hub connection it holds (it may have missed changes);
        // the clients reconnect into the groups of their current memberships. The removal's event, held while it
        // could not be published, goes out, then the upload behind it.
        await Task.WhenAll(bobOnAClosed, bobOnBClosed).WaitAsync(TimeSpan.FromSeconds(60));
        var aliceOnB = await ConnectAsync(_b, alice);
        var (after, _) = await alice.UploadAsync(hoomi, alice);
        await aliceOnB.WaitForAsync("MediaUploaded", hoomi, p => p.GetProperty("mediaId").GetGuid() == after, TimeSpan.FromSeconds(60));

        var caughtUp = await alice.EventsAsync(hoomi, after: lastSeen.Cursor);
        var types = caughtUp["items"]!.AsArray().Select(i => (string)i!["type"]!).ToArray();
        var media = caughtUp["items"]!.AsArray().Select(i => (string?)i!["mediaId"]).Where(m => m is not null).ToArray();

        // A fresh connection of the removed member on B joins no group of the hoomi: nothing of it reaches bob.
        var bobAgainOnB = await ConnectAsync(_b, bob);
        var (last, _) = await alice.UploadAsync(hoomi, alice);
        await aliceOnB.WaitForAsync("MediaUploaded", hoomi, p => p.GetProperty("mediaId").GetGuid() == last, TimeSpan.FromSeconds(60));
        await bob.FlushAsync(bobAgainOnB);

        Assert.Multiple(() =>
        {
            Assert.That(types, Is.EqualTo(new[] { "MemberRemoved", "MediaUploaded", "MediaUploaded" }), "catch-up: every event of the outage, in order");
            Assert.That(media, Is.EqualTo(new[] { during.ToString(), after.ToString() }));
            Assert.That(bobOnA.About(hoomi).Where(e => e.Type == "MediaUploaded" && e.Payload.GetProperty("mediaId").GetGuid() != first), Is.Empty,
                "instance A sent the removed member nothing after the removal");
            Assert.That(bobOnB.About(hoomi).Where(e => e.Type == "MediaUploaded" && e.Payload.GetProperty("mediaId").GetGuid() != first), Is.Empty,
                "instance B sent the removed member's old connection nothing after the removal");
            Assert.That(bobAgainOnB.About(hoomi), Is.Empty, "a new connection of the removed member hears nothing of the hoomi");
        });
    }
}
