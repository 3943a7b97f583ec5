using Microsoft.AspNetCore.SignalR;

namespace Hoomi.Api.Realtime;

public enum MembershipAction
{
    Add,
    Remove,
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

/// <summary>Applies a change to this instance's connections. Alone, it is the whole fan-out.</summary>
public sealed class LocalMembership(ConnectionRegistry registry, IHubContext<MediaHub, IMediaClient> hub) : IMembershipFanout
{
    public Task ApplyEverywhereAsync(MembershipChange change, CancellationToken cancellationToken) => ApplyAsync(change);

    public Task ApplyAsync(MembershipChange change) =>
        // The user's lock keeps a connection from being half-connected (memberships read, groups not yet
        // joined) or half-disconnected while its groups change; see MediaHub.OnConnectedAsync.
        registry.WithUserLockAsync(change.UserId, async () =>
        {
            var group = RealtimeGroups.Hoomi(change.HoomiId);
            foreach (var connectionId in registry.ConnectionsOf(change.UserId))
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
        });
}
