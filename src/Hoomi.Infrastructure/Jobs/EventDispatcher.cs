using System.Threading.Channels;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Events;
using Hoomi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hoomi.Infrastructure.Jobs;

/// <summary>
/// Sends hoomis' committed, undispatched journal rows in sequence order and marks them dispatched, either now
/// (<see cref="DispatchPendingAsync"/>) or from a queue drained in batches off the request path (<see cref="Enqueue"/>).
/// </summary>
/// <remarks>
/// One dispatcher per hoomi at a time: in this process by a striped lock; across instances (PostgreSQL) by reading
/// the rows <c>FOR UPDATE</c> in a transaction held until they are marked, so a second dispatcher of the same hoomi
/// waits, then finds them marked and sends only what is left. So every connection sees a hoomi's events in order, a
/// row is sent at least once (a crash before the mark sends it again: the background redispatcher finds it), and a
/// failed send holds back the rows after it rather than letting them overtake. A batch reads the rows of all its hoomis
/// in one statement (ordered by hoomi and sequence, so two batches lock rows in the same order and cannot deadlock)
/// and marks them in one: three round trips per batch, however many events. SQLite (one instance) needs no
/// transaction: the process lock is enough, and a read transaction that later writes could fail on SQLite's snapshot rule.
/// </remarks>
internal sealed partial class EventDispatcher(IServiceScopeFactory scopes, IMediaNotifier notifier, TimeProvider clock, ILogger<EventDispatcher> logger)
    : BackgroundService, IEventDispatcher
{
    /// <summary>The most hoomis one batch reads and marks together.</summary>
    private const int MaxBatch = 256;

    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>False where nothing delivers live (tools): their rows are left for the server's background dispatcher.</summary>
    public bool Delivers => notifier is not NoOpMediaNotifier;

    public void Enqueue(Guid hoomiId)
    {
        if (Delivers)
        {
            _ = _queue.Writer.TryWrite(hoomiId);
        }
    }

    public Task<int> DispatchPendingAsync(Guid hoomiId, CancellationToken cancellationToken) => DispatchPendingAsync([hoomiId], cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Delivers)
        {
            return;
        }

        var batch = new HashSet<Guid>();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var hoomiId))
            {
                _ = batch.Add(hoomiId);
            }

            try
            {
                _ = await DispatchPendingAsync(batch, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The rows stay undispatched; the background redispatcher sends them.
                LogBatchFailed(logger, ex, batch.Count);
            }

            batch.Clear();
        }
    }

    /// <summary>Sends and marks the pending rows of these hoomis (one batch); returns how many rows were sent.</summary>
    public async Task<int> DispatchPendingAsync(IReadOnlyCollection<Guid> hoomiIds, CancellationToken cancellationToken)
    {
        if (!Delivers || hoomiIds.Count == 0)
        {
            return 0;
        }

        // Stripes in index order, each once: two batches never wait on each other in opposite orders.
        var stripes = new SortedSet<int>();
        foreach (var hoomiId in hoomiIds)
        {
            _ = stripes.Add((hoomiId.GetHashCode() & int.MaxValue) % _stripes.Length);
        }

        var taken = new List<SemaphoreSlim>(stripes.Count);
        try
        {
            foreach (var index in stripes)
            {
                await _stripes[index].WaitAsync(cancellationToken).ConfigureAwait(false);
                taken.Add(_stripes[index]);
            }

            return await DispatchLockedAsync(hoomiIds, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var stripe in taken)
            {
                stripe.Release();
            }
        }
    }

    private async Task<int> DispatchLockedAsync(IReadOnlyCollection<Guid> hoomiIds, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HoomiDbContext>();
        var postgres = db.Database.IsNpgsql();
        await using var transaction = postgres ? await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false) : null;
        var ids = hoomiIds.ToArray();
        var pending = postgres
            ? await db.HoomiEvents
                .FromSql($"SELECT * FROM hoomi_events WHERE hoomi_id = ANY({ids}) AND dispatched_at IS NULL ORDER BY hoomi_id, sequence FOR UPDATE")
                .AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false)
            : await db.HoomiEvents.AsNoTracking()
                .Where(e => ids.Contains(e.HoomiId) && e.DispatchedAt == null)
                .OrderBy(e => e.HoomiId).ThenBy(e => e.Sequence)
                .ToListAsync(cancellationToken).ConfigureAwait(false);

        // Per hoomi, in sequence order; a failed send holds back that hoomi's later rows, not the other hoomis'.
        var sentHoomis = new List<Guid>();
        var sentUpTo = new List<long>();
        var sent = 0;
        Guid? failed = null;
        foreach (var entry in pending)
        {
            if (entry.HoomiId == failed)
            {
                continue;
            }

            if (!await TrySendAsync(entry).ConfigureAwait(false))
            {
                failed = entry.HoomiId;
                continue;
            }

            sent++;
            if (sentHoomis.Count > 0 && sentHoomis[^1] == entry.HoomiId)
            {
                sentUpTo[^1] = entry.Sequence;
            }
            else
            {
                sentHoomis.Add(entry.HoomiId);
                sentUpTo.Add(entry.Sequence);
            }
        }

        if (sent > 0)
        {
            // Not the caller's token from here on: what was sent must be marked, or it is sent again.
            var now = clock.GetUtcNow();
            if (postgres)
            {
                Guid[] marked = [.. sentHoomis];
                long[] upTo = [.. sentUpTo];
                _ = await db.Database.ExecuteSqlAsync(
                    $"UPDATE hoomi_events AS e SET dispatched_at = {now} FROM unnest({marked}, {upTo}) AS u(hoomi_id, up_to) WHERE e.hoomi_id = u.hoomi_id AND e.sequence <= u.up_to AND e.dispatched_at IS NULL",
                    CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                for (var i = 0; i < sentHoomis.Count; i++)
                {
                    var (hoomiId, upTo) = (sentHoomis[i], sentUpTo[i]);
                    await db.HoomiEvents.Where(e => e.HoomiId == hoomiId && e.Sequence <= upTo && e.DispatchedAt == null)
                        .ExecuteUpdateAsync(s => s.SetProperty(e => e.DispatchedAt, now), CancellationToken.None).ConfigureAwait(false);
                }
            }
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return sent;
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

    [LoggerMessage(LogLevel.Error, "A batch dispatch of {Count} hoomi(s) failed; the background redispatcher sends their events later")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);
}
