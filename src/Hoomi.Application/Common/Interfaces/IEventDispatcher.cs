namespace Hoomi.Application.Common.Interfaces;

/// <summary>
/// Sends committed journal rows live, through the <see cref="IMediaNotifier"/>, and marks them dispatched. Used by the
/// <see cref="Events.HoomiEventOutbox"/> right after a commit (queued, or at once for membership changes), and by the background dispatcher for rows that a failed
/// send or a crash left behind.
/// </summary>
public interface IEventDispatcher
{
    /// <summary>
    /// Sends every committed, not yet dispatched row of the hoomi, in sequence order, one dispatcher per hoomi at a
    /// time (across instances), and marks those it sent. A failed send stops there: the later rows wait behind it, so
    /// they are never delivered before it. Never throws for a failed send; returns how many rows were sent.
    /// </summary>
    Task<int> DispatchPendingAsync(Guid hoomiId, CancellationToken cancellationToken);

    /// <summary>
    /// Hands the hoomi's newly committed rows to the background queue and returns at once: the queue sends and marks
    /// them in batches (<see cref="DispatchPendingAsync"/> semantics: in order, at least once), off the request path.
    /// What the queue holds when the process stops, the background redispatcher sends after the restart.
    /// </summary>
    void Enqueue(Guid hoomiId);
}
