using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events;
using Microsoft.AspNetCore.SignalR;

namespace Hoomi.Api.Realtime;

/// <summary>
/// Journals each event (which gives it its cursor), updates group membership where the event changes it,
/// then sends it to the hoomi's group. Handlers call this after their commit: a failure here is logged and
/// swallowed, because the change itself has happened and failing the request would only make the client
/// retry something that succeeded.
/// </summary>
public sealed partial class SignalRMediaNotifier(
    IServiceScopeFactory scopes,
    IHubContext<MediaHub, IMediaClient> hub,
    IMembershipFanout membership,
    RealtimeMetrics metrics,
    ILogger<SignalRMediaNotifier> logger) : IMediaNotifier
{
    public Task MediaUploadedAsync(MediaUploadedEvent e, CancellationToken cancellationToken) =>
        PublishAsync(e.HoomiId, HoomiEventTypes.MediaUploaded, e, null, (live, clients) => clients.MediaUploaded(live));

    public Task MediaDeletedAsync(MediaDeletedEvent e, CancellationToken cancellationToken) =>
        PublishAsync(e.HoomiId, HoomiEventTypes.MediaDeleted, e, null, (live, clients) => clients.MediaDeleted(live));

    public Task KeysSharedAsync(KeysSharedEvent e, CancellationToken cancellationToken) =>
        PublishAsync(e.HoomiId, HoomiEventTypes.KeysShared, e, null, (live, clients) => clients.KeysShared(live));

    public Task MemberAddedAsync(MemberAddedEvent e, CancellationToken cancellationToken) =>
        PublishAsync(e.HoomiId, HoomiEventTypes.MemberAdded, e,
            new MembershipChange(MembershipAction.Add, e.HoomiId, e.UserId),
            (live, clients) => clients.MemberAdded(live));

    public Task MemberRemovedAsync(MemberRemovedEvent e, CancellationToken cancellationToken) =>
        PublishAsync(e.HoomiId, HoomiEventTypes.MemberRemoved, e,
            new MembershipChange(MembershipAction.Remove, e.HoomiId, e.UserId),
            (live, clients) => clients.MemberRemoved(live),
            alsoTo: RealtimeGroups.User(e.UserId));

    private async Task PublishAsync<TEvent>(
        Guid hoomiId,
        string type,
        TEvent e,
        MembershipChange? change,
        Func<System.Text.Json.Nodes.JsonObject, IMediaClient, Task> send,
        string? alsoTo = null)
    {
        // Deliberately not the request's token: the commit has happened, so the event must go out even if
        // the client that caused it hangs up now.
        var cancellationToken = CancellationToken.None;
        try
        {
            Domain.Events.HoomiEvent entry;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var journal = scope.ServiceProvider.GetRequiredService<HoomiEventJournal>();
                entry = await journal.AppendAsync(hoomiId, type, HoomiEventJson.Payload(e), cancellationToken).ConfigureAwait(false);
            }

            if (change is not null)
            {
                await membership.ApplyEverywhereAsync(change, cancellationToken).ConfigureAwait(false);
            }

            var live = HoomiEventJson.Live(entry);
            IMediaClient clients = alsoTo is null
                ? hub.Clients.Group(RealtimeGroups.Hoomi(hoomiId))
                : hub.Clients.Groups(RealtimeGroups.Hoomi(hoomiId), alsoTo);
            await send(live, clients).ConfigureAwait(false);
            metrics.EventSent(type);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogPublishFailed(logger, ex, type, hoomiId);
        }
    }

    [LoggerMessage(LogLevel.Error, "Could not publish {EventType} of hoomi {HoomiId}")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string eventType, Guid hoomiId);
}
