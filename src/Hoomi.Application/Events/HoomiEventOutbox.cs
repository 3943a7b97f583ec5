using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hoomi.Application.Events;

/// <summary>
/// The transactional outbox of a use case: the events it reports are written to the hoomi's journal
/// (<c>hoomi_events</c>) in the same transaction as the change itself, so a committed change always has its
/// journal row (and a rolled-back one never does); only after the commit are the committed rows sent live, by the
/// <see cref="IEventDispatcher"/>, which marks them dispatched. A delivery failure is logged, never undoes or fails
/// the change: the row stays undispatched, the background dispatcher sends it later (after a restart too), and a
/// client that missed the live event reads it from <c>/events</c>.
/// </summary>
/// <remarks>
/// Numbering: before the next number of a hoomi is read (max + 1), its <c>hoomis</c> row is locked by a no-op
/// UPDATE inside the transaction (PostgreSQL holds the row lock until commit; SQLite's writer lock serialises
/// transactions anyway). So writers of one hoomi take numbers one after another, a number is committed only
/// after all smaller ones, and "everything after N" never skips an event that commits late.
/// </remarks>
public sealed partial class HoomiEventOutbox(
    IHoomiDbContext db, IEventDispatcher dispatcher, IOptions<EventDispatchOptions> options, TimeProvider clock, ILogger<HoomiEventOutbox> logger)
{
    private readonly List<(Guid HoomiId, string Type, string Payload)> _staged = [];
    private readonly List<HoomiEvent> _written = [];

    /// <summary>Stages an event; it is written by the next <see cref="SaveAsync"/> with the change it reports.</summary>
    public void Add<TEvent>(Guid hoomiId, string type, TEvent e) => _staged.Add((hoomiId, type, HoomiEventJson.Payload(e)));

    /// <summary>
    /// In one transaction: the journal rows of the staged events, the context's tracked changes, then
    /// <paramref name="inTransaction"/> (other writes that must commit with them); then commits. Dispatch separately
    /// with <see cref="DispatchAsync"/>, or use <see cref="SaveAndPublishAsync"/>.
    /// </summary>
    public async Task SaveAsync(CancellationToken cancellationToken, Func<Task>? inTransaction = null)
    {
        await using var transaction = await db.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var entries = await JournalStagedAsync(cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (inTransaction is not null)
        {
            await inTransaction().ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _written.AddRange(entries);
    }

    /// <summary><see cref="SaveAsync"/>, then <see cref="DispatchAsync"/>.</summary>
    public async Task SaveAndPublishAsync(CancellationToken cancellationToken, Func<Task>? inTransaction = null)
    {
        await SaveAsync(cancellationToken, inTransaction).ConfigureAwait(false);
        await DispatchAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Sends the committed rows live: for each hoomi written to, every undispatched row up to and including these, in
    /// order. Never throws: the change has happened, and what is not sent now the background dispatcher sends.
    /// </summary>
    public async Task DispatchAsync()
    {
        var hoomiIds = _written.Select(e => e.HoomiId).Distinct().ToList();
        _written.Clear();
        if (!options.Value.ImmediateDispatch)
        {
            return;
        }

        foreach (var hoomiId in hoomiIds)
        {
            try
            {
                // Deliberately not the request's token: the commit has happened, so the event must go out even if
                // the client that caused it hangs up now.
                await dispatcher.DispatchPendingAsync(hoomiId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogDispatchFailed(logger, ex, hoomiId);
            }
        }
    }

    private async Task<List<HoomiEvent>> JournalStagedAsync(CancellationToken cancellationToken)
    {
        var entries = new List<HoomiEvent>();
        var next = new Dictionary<Guid, long>();
        var now = clock.GetUtcNow();
        foreach (var (hoomiId, type, payload) in _staged)
        {
            if (!next.TryGetValue(hoomiId, out var sequence))
            {
                // The no-op update takes the hoomi row's lock (0 rows for a hoomi created in this very unit of work,
                // whose journal starts at 1 and which nobody else can write to yet).
                await db.Hoomis.Where(h => h.Id == hoomiId)
                    .ExecuteUpdateAsync(s => s.SetProperty(h => h.UsedBytes, h => h.UsedBytes), cancellationToken).ConfigureAwait(false);
                sequence = 1 + (await db.HoomiEvents.Where(e => e.HoomiId == hoomiId)
                    .MaxAsync(e => (long?)e.Sequence, cancellationToken).ConfigureAwait(false) ?? 0);
            }

            var entry = new HoomiEvent(hoomiId, sequence, type, payload, now);
            next[hoomiId] = sequence + 1;
            db.HoomiEvents.Add(entry);
            entries.Add(entry);
        }

        _staged.Clear();
        return entries;
    }

    [LoggerMessage(LogLevel.Error, "Could not dispatch the events of hoomi {HoomiId}; the background dispatcher sends them later")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception, Guid hoomiId);
}
