using Hoomi.Api.Realtime;
using Hoomi.Testing;

namespace Hoomi.Api.Tests.Realtime;

/// <summary>
/// Two API instances on different ports, as behind a load balancer: one PostgreSQL database, one blob root,
/// one Redis (the SignalR backplane). What happens through A reaches clients connected to B.
/// </summary>
[TestFixture]
public sealed class ScaleOutTests
{
    private RedisServer _redis = null!;
    private RealtimeServer _a = null!;
    private RealtimeServer _b = null!;
    private readonly List<EventInbox> _inboxes = [];

    [OneTimeSetUp]
    public void Start()
    {
        _redis = RedisServer.Start();
        var settings = new Dictionary<string, string?> { [RealtimeSetup.RedisConnectionKey] = _redis.ConnectionString };
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
        // Same account, same token, another instance: the instances share the database and the token keys.
        var inbox = await server.ConnectAsync(user.Api);
        _inboxes.Add(inbox);
        return inbox;
    }

    [Test]
    public async Task An_upload_through_instance_A_reaches_a_member_connected_to_instance_B()
    {
        Assert.That(_a.BaseAddress.Port, Is.Not.EqualTo(_b.BaseAddress.Port));
        var alice = await RealtimeUser.CreateAsync(_a.RegisterAsync, "alice");
        var bob = await RealtimeUser.CreateAsync(_a.RegisterAsync, "bob");
        var hoomi = await alice.Api.CreateHoomiAsync();
        await alice.Api.AddMemberAsync(hoomi, bob.Api);
        var onB = await ConnectAsync(_b, bob);

        var (mediaId, started) = await alice.UploadAsync(hoomi, alice, bob);
        var received = await onB.WaitForAsync("MediaUploaded", hoomi, p => p.GetProperty("mediaId").GetGuid() == mediaId);

        TestContext.Out.WriteLine($"A → Redis → B: {Latency.MillisecondsSince(started, received.ReceivedAt):F1} ms after the upload request started");
    }

    [Test]
    public async Task Membership_changes_made_through_A_move_the_connections_held_by_B()
    {
        var alice = await RealtimeUser.CreateAsync(_a.RegisterAsync, "alice");
        var bob = await RealtimeUser.CreateAsync(_a.RegisterAsync, "bob");
        var hoomi = await alice.Api.CreateHoomiAsync();
        var aliceOnB = await ConnectAsync(_b, alice);
        var bobOnB = await ConnectAsync(_b, bob);
        var bobOnA = await ConnectAsync(_a, bob);

        await alice.Api.AddMemberAsync(hoomi, bob.Api);
        var (first, _) = await alice.UploadAsync(hoomi, alice, bob);
        await bobOnB.WaitForAsync("MediaUploaded", hoomi, p => p.GetProperty("mediaId").GetGuid() == first);
        await bobOnA.WaitForAsync("MediaUploaded", hoomi, p => p.GetProperty("mediaId").GetGuid() == first);

        await alice.Api.RemoveMemberAsync(hoomi, bob.Api);
        var (second, _) = await alice.UploadAsync(hoomi, alice);
        await aliceOnB.WaitForAsync("MediaUploaded", hoomi, p => p.GetProperty("mediaId").GetGuid() == second);
        await bob.FlushAsync(bobOnB, bobOnA);

        Assert.Multiple(() =>
        {
            Assert.That(bobOnB.About(hoomi).Select(e => e.Type), Is.EqualTo(new[] { "MemberAdded", "MediaUploaded", "MemberRemoved" }));
            Assert.That(bobOnA.About(hoomi).Select(e => e.Type), Is.EqualTo(new[] { "MemberAdded", "MediaUploaded", "MemberRemoved" }));
        });
    }
}
