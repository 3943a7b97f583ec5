using Hoomi.Api.Realtime;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Hoomi.Api.Tests.Realtime;

/// <summary>
/// Membership changes fail closed, across two instances sharing PostgreSQL and Redis: when a removal cannot be
/// applied to a connection, that connection is closed; when not every instance acknowledges it, the hoomi's events
/// wait until all have; and a connection ends when its token expires. In each case the removed member gets no
/// further event of the hoomi on either instance.
/// </summary>
[TestFixture]
public sealed class FailClosedTests
{
    private RedisServer _redis = null!;
    private RealtimeServer _a = null!;
    private RealtimeServer _b = null!;
    private FailingGroups? _groupsOfB;
    private readonly List<EventInbox> _inboxes = [];

    /// <summary>Instance B's group manager as the membership fan-out uses it, with removals that fail on demand.</summary>
    private sealed class FailingGroups(IHubContext<MediaHub, IMediaClient> inner) : IHubContext<MediaHub, IMediaClient>, IGroupManager
    {
        public volatile bool FailRemovals;

        public IHubClients<IMediaClient> Clients => inner.Clients;

        public IGroupManager Groups => this;

        public Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
            inner.Groups.AddToGroupAsync(connectionId, groupName, cancellationToken);

        public Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
            FailRemovals
                ? Task.FromException(new InvalidOperationException("the group removal failed"))
                : inner.Groups.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
    }

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
        _b = RealtimeServer.Start(settings, sameStorageAs: _a, testServices: services =>
        {
            // The typed hub context SignalR registers (open generic), wrapped for this one hub.
            var open = services.Last(d => d.ServiceType == typeof(IHubContext<,>));
            var closed = open.ImplementationType!.MakeGenericType(typeof(MediaHub), typeof(IMediaClient));
            services.AddSingleton<IHubContext<MediaHub, IMediaClient>>(sp =>
                _groupsOfB = new FailingGroups((IHubContext<MediaHub, IMediaClient>)ActivatorUtilities.CreateInstance(sp, closed)));
        });
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

    [TearDown]
    public void Heal()
    {
        if (_groupsOfB is not null)
        {
            _groupsOfB.FailRemovals = false;
        }
    }

    private async Task<EventInbox> ConnectAsync(RealtimeServer server, RealtimeUser user)
    {
        var inbox = await server.ConnectAsync(user.Api);
        _inboxes.Add(inbox);
        return inbox;
    }


    private async Task<long[]> UndispatchedAsync(Guid hoomiId)
    {
        await using var scope = _a.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IHoomiDbContext>();
        return await db.HoomiEvents.AsNoTracking().Where(e => e.HoomiId == hoomiId && e.DispatchedAt == null)
            .OrderBy(e => e.Sequence).Select(e => e.Sequence).ToArrayAsync();
    }

    [Test]
    public async Task A_removal_that_instance_B_cannot_apply_closes_the_members_connection_there_and_no_instance_sends_it_more()
    {
        var alice = await RealtimeUser.CreateAsync(_a.RegisterAsync, "alice");
        var bob = await RealtimeUser.CreateAsync(_a.RegisterAsync, "bob");
        var hoomi = await alice.Api.CreateHoomiAsync();
        await alice.Api.AddMemberAsync(hoomi, bob.Api);
        var aliceOnA = await ConnectAsync(_a, alice);
        var bobOnA = await ConnectAsync(_a, bob);
        var bobOnB = await ConnectAsync(_b, bob);
        var bobOnBClosed = bobOnB.ClosedAsync();

        Assert.That(_groupsOfB, Is.Not.Null, "instance B uses the wrapped group manager");
        _groupsOfB!.FailRemovals = true;
        await alice.Api.RemoveMemberAsync(hoomi, bob.Api);
        await bobOnBClosed.WaitAsync(TimeSpan.FromSeconds(30));

        var (after, _) = await alice.UploadAsync(hoomi, alice);
        await aliceOnA.WaitForAsync("MediaUploaded", hoomi, p => p.GetProperty("mediaId").GetGuid() == after);
        await bob.FlushAsync(bobOnA);

        Assert.Multiple(() =>
        {
            Assert.That(bobOnB.Connection.State, Is.EqualTo(HubConnectionState.Disconnected), "closed rather than left in the group");
            Assert.That(bobOnA.About(hoomi).Select(e => e.Type), Is.EqualTo(new[] { "MemberRemoved" }));
            Assert.That(bobOnB.About(hoomi).Where(e => e.Type == "MediaUploaded"), Is.Empty);
        });
    }

    [Test]
    public async Task Until_every_instance_acknowledges_a_removal_the_hoomis_later_events_wait_behind_it()
    {
        var alice = await RealtimeUser.CreateAsync(_a.RegisterAsync, "alice");
        var bob = await RealtimeUser.CreateAsync(_a.RegisterAsync, "bob");
        var hoomi = await alice.Api.CreateHoomiAsync();
        await alice.Api.AddMemberAsync(hoomi, bob.Api);
        var aliceOnB = await ConnectAsync(_b, alice);
        var bobOnA = await ConnectAsync(_a, bob);
        var bobOnB = await ConnectAsync(_b, bob);

        // A third subscriber of the membership channel that never acknowledges: an instance that hangs.
        var silent = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        await silent.GetSubscriber().SubscribeAsync(RedisChannel.Literal("hoomi:realtime:membership"), (_, _) => { });
        long[] held;
        Guid after;
        try
        {
            await alice.Api.RemoveMemberAsync(hoomi, bob.Api);
            (after, _) = await alice.UploadAsync(hoomi, alice);
            held = await UndispatchedAsync(hoomi);
            Assert.That(aliceOnB.About(hoomi).Select(e => e.Type), Is.Empty, "neither the removal nor the upload went out");
        }
        finally
        {
            await silent.DisposeAsync();
        }

        Assert.That(held, Has.Length.EqualTo(2), "the removal and the upload behind it, committed and held");
        await aliceOnB.WaitForAsync("MediaUploaded", hoomi, p => p.GetProperty("mediaId").GetGuid() == after, TimeSpan.FromSeconds(60));
        await bob.FlushAsync(bobOnA, bobOnB);

        Assert.Multiple(() =>
        {
            Assert.That(aliceOnB.About(hoomi).Select(e => e.Type), Is.EqualTo(new[] { "MemberRemoved", "MediaUploaded" }), "in order, once each");
            Assert.That(bobOnA.About(hoomi).Select(e => e.Type), Is.EqualTo(new[] { "MemberRemoved" }));
            Assert.That(bobOnB.About(hoomi).Select(e => e.Type), Is.EqualTo(new[] { "MemberRemoved" }));
        });
    }
}
