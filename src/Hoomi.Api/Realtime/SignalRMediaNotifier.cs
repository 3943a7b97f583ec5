using System.Text.Json.Nodes;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events;
using Hoomi.Domain.Events;
using Microsoft.AspNetCore.SignalR;

namespace Hoomi.Api.Realtime;

/// <summary>
/// Delivers a committed journal row live: updates group membership where the event changes it, then sends it
/// to the hoomi's group. The outbox calls this after the commit, with the row already in the journal: a failure
/// here costs only the live delivery (clients catch up from <c>/events</c>), so it is logged and swallowed.
/// </summary>
public sealed partial class SignalRMediaNotifier(
    IHubContext<MediaHub, IMediaClient> hub,
    IMembershipFanout membership,
    RealtimeMetrics metrics,
    ILogger<SignalRMediaNotifier> logger) : IMediaNotifier
{
    public async Task PublishAsync(HoomiEvent committed, CancellationToken cancellationToken)
    {
        try
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
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogPublishFailed(logger, ex, committed.Type, committed.HoomiId);
        }
    }

    private static Guid UserIdOf(JsonObject live) => Guid.Parse(live["userId"]!.GetValue<string>());

    [LoggerMessage(LogLevel.Error, "Could not deliver {EventType} of hoomi {HoomiId} live; it stays in the journal for catch-up")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string eventType, Guid hoomiId);
}
