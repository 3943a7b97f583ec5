using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Events;
using Hoomi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hoomi.Infrastructure.Jobs;

/// <summary>
/// Sends a hoomi's committed, undispatched journal rows in sequence order and marks them dispatched.
/// </summary>
/// <remarks>
/// One dispatcher per hoomi at a time: in this process by a striped lock; across instances (PostgreSQL) by reading
/// the rows <c>FOR UPDATE</c> in a transaction held until they are marked, so a second dispatcher of the same hoomi
/// waits, then finds them marked and sends only what is left. So every connection sees a hoomi's events in order, a
/// row is sent at least once (a crash before the mark sends it again), and a failed send holds back the rows after it
/// rather than letting them overtake. SQLite (one instance) needs no transaction: the process lock is enough, and a
/// read transaction that later writes could fail on SQLite's snapshot rule.
/// </remarks>
internal sealed partial class EventDispatcher(IServiceScopeFactory scopes, IMediaNotifier notifier, TimeProvider clock, ILogger<EventDispatcher> logger)
    : IEventDispatcher
{
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>False where nothing delivers live (tools): their rows are left for the server's background dispatcher.</summary>
    public bool Delivers => notifier is not NoOpMediaNotifier;

    public async Task<int> DispatchPendingAsync(Guid hoomiId, CancellationToken cancellationToken)
    {
        if (!Delivers)
        {
            return 0;
        }

        var stripe = _stripes[(hoomiId.GetHashCode() & int.MaxValue) % _stripes.Length];
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HoomiDbContext>();
            var postgres = db.Database.IsNpgsql();
            await using var transaction = postgres ? await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false) : null;
            var pending = postgres
                ? await db.HoomiEvents
                    .FromSql($"SELECT * FROM hoomi_events WHERE hoomi_id = {hoomiId} AND dispatched_at IS NULL ORDER BY sequence FOR UPDATE")
                    .AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false)
                : await db.HoomiEvents.AsNoTracking()
                    .Where(e => e.HoomiId == hoomiId && e.DispatchedAt == null)
                    .OrderBy(e => e.Sequence)
                    .ToListAsync(cancellationToken).ConfigureAwait(false);

            var sent = 0;
            foreach (var entry in pending)
            {
                if (!await TrySendAsync(entry).ConfigureAwait(false))
                {
                    break;
                }

                sent++;
            }

            if (sent > 0)
            {
                // Not the caller's token from here on: what was sent must be marked, or it is sent again.
                var upTo = pending[sent - 1].Sequence;
                var now = clock.GetUtcNow();
                await db.HoomiEvents.Where(e => e.HoomiId == hoomiId && e.Sequence <= upTo && e.DispatchedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.DispatchedAt, now), CancellationToken.None).ConfigureAwait(false);
            }

            if (transaction is not null)
            {
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return sent;
        }
        finally
        {
            stripe.Release();
        }
    }

    private async Task<bool> TrySendAsync(HoomiEvent entry)
    {
        try
        {
            await notifier.PublishAsync(entry, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogSendFailed(logger, ex, entry.Type, entry.Sequence, entry.HoomiId);
            return false;
        }
    }

    [LoggerMessage(LogLevel.Error, "Could not send {EventType} #{Sequence} of hoomi {HoomiId} live; it and the hoomi's later events are sent again by the background dispatcher")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string eventType, long sequence, Guid hoomiId);
}
