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
/// Numbering: before the next number of a hoomi is read (max + 1), its <c>hoomis</c> row is locked by an UPDATE
/// inside the transaction (a no-op, or the commit of the upload's quota reservation; one command with the read, see
/// <see cref="IHoomiDbContext.LockHoomiForJournalAsync"/>; PostgreSQL holds the row lock until commit; SQLite's writer
/// lock serialises transactions anyway). So writers of one hoomi take numbers one after another, a number is committed only
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
    /// In one transaction: the journal rows of the staged events and the context's tracked changes, and the commit of
    /// the quota reservation <paramref name="commit"/> if one is given; then commits. Round trips: one per hoomi with
    /// staged events (its row lock, the reservation's commit when it is that hoomi's, and the journal's last number),
    /// one for the changes (EF Core batches the inserts), one for the commit. Dispatch separately with
    /// <see cref="DispatchAsync"/>, or use <see cref="SaveAndPublishAsync"/>.
    /// </summary>
    public async Task SaveAsync(CancellationToken cancellationToken, QuotaReservation? commit = null)
    {
        await using var transaction = await db.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var entries = await JournalStagedAsync(commit, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _written.AddRange(entries);
    }

    /// <summary><see cref="SaveAsync"/>, then <see cref="DispatchAsync"/>.</summary>
    public async Task SaveAndPublishAsync(CancellationToken cancellationToken, QuotaReservation? commit = null)
    {
        await SaveAsync(cancellationToken, commit).ConfigureAwait(false);
        await DispatchAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Sends the committed rows live: for each hoomi written to, every undispatched row up to and including these, in
    /// order. Media events are handed to the dispatcher's background queue (sent and marked in batches, off the request
    /// path: the answer does not wait for three more round trips); membership events are sent before this returns,
    /// so that when a removal is answered the removed member's connections have already left the hoomi's group.
    /// Never throws: the change has happened, and what is not sent now the background dispatcher sends.
    /// </summary>
    public async Task DispatchAsync()
    {
        if (_written.Count == 0)
        {
            return;
        }

        var written = _written.ToArray();
        _written.Clear();
        if (!options.Value.ImmediateDispatch)
        {
            return;
        }

        for (var i = 0; i < written.Length; i++)
        {
            var hoomiId = written[i].HoomiId;
            if (Seen(written, i))
            {
                continue; // this hoomi is handled already
            }

            if (!ChangesMembership(written, hoomiId))
            {
                dispatcher.Enqueue(hoomiId);
                continue;
            }

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

    private static bool Seen(HoomiEvent[] written, int i)
    {
        for (var j = 0; j < i; j++)
        {
            if (written[j].HoomiId == written[i].HoomiId)
            {
                return true;
            }
        }

        return false;
    }

    private static bool ChangesMembership(HoomiEvent[] written, Guid hoomiId)
    {
        foreach (var e in written)
        {
            if (e.HoomiId == hoomiId && e.Type is HoomiEventTypes.MemberAdded or HoomiEventTypes.MemberRemoved)
            {
                return true;
            }
        }

        return false;
    }

    private async Task<List<HoomiEvent>> JournalStagedAsync(QuotaReservation? commit, CancellationToken cancellationToken)
    {
        var entries = new List<HoomiEvent>(_staged.Count);
        var next = new Dictionary<Guid, long>();
        var now = clock.GetUtcNow();
        var committed = commit is null;
        foreach (var (hoomiId, type, payload) in _staged)
        {
            if (!next.TryGetValue(hoomiId, out var sequence))
            {
                // The update takes the hoomi row's lock (0 rows for a hoomi created in this very unit of work, whose
                // journal starts at 1 and which nobody else can write to yet) and commits the reservation with it.
                var ofThisHoomi = commit is not null && commit.HoomiId == hoomiId;
                committed |= ofThisHoomi;
                sequence = 1 + await db.LockHoomiForJournalAsync(hoomiId, ofThisHoomi ? commit!.Bytes : 0, cancellationToken).ConfigureAwait(false);
            }

            var entry = new HoomiEvent(hoomiId, sequence, type, payload, now);
            next[hoomiId] = sequence + 1;
            db.HoomiEvents.Add(entry);
            entries.Add(entry);
        }

        if (!committed)
        {
            // A reservation of a hoomi that reports no event here: committed on its own.
            _ = await db.LockHoomiForJournalAsync(commit!.HoomiId, commit.Bytes, cancellationToken).ConfigureAwait(false);
        }

        _staged.Clear();
        return entries;
    }

    [LoggerMessage(LogLevel.Error, "Could not dispatch the events of hoomi {HoomiId}; the background dispatcher sends them later")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception, Guid hoomiId);
}
