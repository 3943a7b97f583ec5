namespace Hoomi.Application.Common.Interfaces;

/// <summary>
/// Sends committed journal rows live, through the <see cref="IMediaNotifier"/>, and marks them dispatched. Used by the
/// <see cref="Events.HoomiEventOutbox"/> right after a commit, and by the background dispatcher for rows that a failed
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
}
