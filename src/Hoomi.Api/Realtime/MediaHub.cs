using Hoomi.Api.Auth;
using Hoomi.Application.Common.Interfaces;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Api.Realtime;

/// <summary>
/// The hub clients listen on: the server pushes events, and the one method a client calls is <see cref="Joined"/>
/// (to know it is in its groups). A connection joins one group per hoomi of its user and the user's own group; <see cref="MembershipFanout"/> keeps the hoomi groups current afterwards.
/// </summary>
[Authorize]
public sealed class MediaHub(IHoomiDbContext db, ConnectionRegistry registry, RealtimeMetrics metrics) : Hub<IMediaClient>
{
    public const string Path = AuthSetup.HubsPath + "/media";

    public override async Task OnConnectedAsync()
    {
        var userId = CurrentUser.UserIdOf(Context.User!) ?? throw new HubException("The connection has no Hoomi user id.");
        var connectionId = Context.ConnectionId;
        var cancellationToken = Context.ConnectionAborted;

        // Under the user's lock, and registered before the memberships are read: a membership change
        // committed before the read is in the read; one committed after it waits for the lock and then
        // finds this connection in the registry. Either way no change slips between the two.
        Context.Items[typeof(MediaHub)] = userId;
        await registry.WithUserLockAsync(userId, async () =>
        {
            registry.Add(userId, Context);
            try
            {
                await JoinGroupsAsync(userId, connectionId, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // SignalR does not call OnDisconnectedAsync when OnConnectedAsync fails.
                registry.Remove(userId, connectionId);
                throw;
            }
        }).ConfigureAwait(false);

        metrics.ConnectionOpened();
        await base.OnConnectedAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Returns once this connection is in its groups (SignalR runs invocations only after OnConnectedAsync).
    /// A client that calls it after connecting and then reads <c>/hoomis/{id}/events</c> from its last
    /// cursor misses nothing between the two.
    /// </summary>
    public Task Joined() => Task.CompletedTask;

    private async Task JoinGroupsAsync(Guid userId, string connectionId, CancellationToken cancellationToken)
    {
        var hoomiIds = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId)
            .Select(m => m.HoomiId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var hoomiId in hoomiIds)
        {
            await Groups.AddToGroupAsync(connectionId, RealtimeGroups.Hoomi(hoomiId), cancellationToken).ConfigureAwait(false);
        }

        await Groups.AddToGroupAsync(connectionId, RealtimeGroups.User(userId), cancellationToken).ConfigureAwait(false);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue(typeof(MediaHub), out var value) && value is Guid userId)
        {
            // Under the lock: a membership change holding it must not address a connection SignalR has
            // already forgotten (with Redis, a group command for an unknown connection waits 30 s for an ack).
            var connectionId = Context.ConnectionId;
            await registry.WithUserLockAsync(userId, () =>
            {
                registry.Remove(userId, connectionId);
                return Task.CompletedTask;
            }).ConfigureAwait(false);
            metrics.ConnectionClosed();
        }

        await base.OnDisconnectedAsync(exception).ConfigureAwait(false);
    }
}
