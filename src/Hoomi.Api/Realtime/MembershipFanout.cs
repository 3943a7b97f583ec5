using Hoomi.Application.Common.Interfaces;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Api.Realtime;

public enum MembershipAction
{
    Add,
    Remove,

    /// <summary>The user's tokens were revoked (logout, password change): every hub connection of theirs is closed.</summary>
    CloseAll,
}

public sealed record MembershipChange(MembershipAction Action, Guid HoomiId, Guid UserId);

/// <summary>
/// Moves a user's live connections in or out of a hoomi group on every instance, and returns only once
/// that is done (or a bounded wait ran out), so that an event sent after a removal cannot reach the
/// removed member on any instance.
/// </summary>
public interface IMembershipFanout
{
    Task ApplyEverywhereAsync(MembershipChange change, CancellationToken cancellationToken);
}

/// <summary>
/// Applies a change to this instance's connections. Alone, it is the whole fan-out. Fails closed: a connection whose
/// group could not be changed is closed (so a removed member cannot keep listening, and an added one reconnects into
/// its groups); an addition is applied only if the database still has the membership (a stale or replayed
/// <c>MemberAdded</c> must not put a since-removed user back into the group).
/// </summary>
public sealed partial class LocalMembership(
    ConnectionRegistry registry, IHubContext<MediaHub, IMediaClient> hub, IServiceScopeFactory scopes, ILogger<LocalMembership> logger) : IMembershipFanout
{
    public Task ApplyEverywhereAsync(MembershipChange change, CancellationToken cancellationToken) => ApplyAsync(change);

    public Task ApplyAsync(MembershipChange change) =>
        // The user's lock keeps a connection from being half-connected (memberships read, groups not yet
        // joined) or half-disconnected while its groups change; see MediaHub.OnConnectedAsync.
        registry.WithUserLockAsync(change.UserId, async () =>
        {
            if (change.Action == MembershipAction.CloseAll)
            {
                registry.AbortAll(change.UserId);
                return;
            }

            var connections = registry.ConnectionsOf(change.UserId);
            if (connections.Count == 0)
            {
                return;
            }

            if (change.Action == MembershipAction.Add && !await IsMemberAsync(change).ConfigureAwait(false))
            {
                return;
            }

            var group = RealtimeGroups.Hoomi(change.HoomiId);
            foreach (var connectionId in connections)
            {
                try
                {
                    if (change.Action == MembershipAction.Add)
                    {
                        await hub.Groups.AddToGroupAsync(connectionId, group).ConfigureAwait(false);
                    }
                    else
                    {
                        await hub.Groups.RemoveFromGroupAsync(connectionId, group).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogGroupChangeFailed(logger, ex, change.Action, change.HoomiId);
                    registry.Abort(change.UserId, connectionId);
                }
            }
        });

    private async Task<bool> IsMemberAsync(MembershipChange change)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IHoomiDbContext>();
        return await db.Memberships.AsNoTracking().AnyAsync(m => m.HoomiId == change.HoomiId && m.UserId == change.UserId).ConfigureAwait(false);
    }

    [LoggerMessage(LogLevel.Error, "Could not apply a membership change ({Action}) of hoomi {HoomiId} to a connection; the connection is closed")]
    private static partial void LogGroupChangeFailed(ILogger logger, Exception exception, MembershipAction action, Guid hoomiId);
}
