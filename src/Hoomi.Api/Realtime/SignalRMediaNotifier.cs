using System.Text.Json.Nodes;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events;
using Hoomi.Domain.Events;
using Microsoft.AspNetCore.SignalR;

namespace Hoomi.Api.Realtime;

/// <summary>
/// Delivers a committed journal row live: updates group membership where the event changes it, then sends it
/// to the hoomi's group. The outbox's dispatcher calls this after the commit, with the row already in the journal; a
/// failure throws, so that the row stays undispatched and is sent again (after the group change, if that was what
/// failed: an event after a removal never goes out before the removal has taken effect everywhere).
/// </summary>
public sealed class SignalRMediaNotifier(
    IHubContext<MediaHub, IMediaClient> hub,
    IMembershipFanout membership,
    RealtimeMetrics metrics) : IMediaNotifier
{
    public async Task PublishAsync(HoomiEvent committed, CancellationToken cancellationToken)
    {
        var live = HoomiEventJson.Live(committed);
        var group = hub.Clients.Group(RealtimeGroups.Hoomi(committed.HoomiId));
        switch (committed.Type)
        {
            case HoomiEventTypes.MediaUploaded:
                await group.MediaUploaded(live).ConfigureAwait(false);
                break;
            case HoomiEventTypes.MediaDeleted:
                await group.MediaDeleted(live).ConfigureAwait(false);
                break;
            case HoomiEventTypes.KeysShared:
                await group.KeysShared(live).ConfigureAwait(false);
                break;
            case HoomiEventTypes.MemberAdded:
                await membership.ApplyEverywhereAsync(
                    new MembershipChange(MembershipAction.Add, committed.HoomiId, UserIdOf(live)), cancellationToken).ConfigureAwait(false);
                await group.MemberAdded(live).ConfigureAwait(false);
                break;
            case HoomiEventTypes.MemberRemoved:
                var userId = UserIdOf(live);
                // The group change comes first, so an event after the removal cannot reach the removed member;
                // the removal itself goes to the removed user's own group too.
                await membership.ApplyEverywhereAsync(
                    new MembershipChange(MembershipAction.Remove, committed.HoomiId, userId), cancellationToken).ConfigureAwait(false);
                await hub.Clients.Groups(RealtimeGroups.Hoomi(committed.HoomiId), RealtimeGroups.User(userId)).MemberRemoved(live).ConfigureAwait(false);
                break;
            default:
                return;
        }

        metrics.EventSent(committed.Type);
    }

    private static Guid UserIdOf(JsonObject live) => Guid.Parse(live["userId"]!.GetValue<string>());
}
