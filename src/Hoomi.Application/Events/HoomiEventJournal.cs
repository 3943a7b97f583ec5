using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Events;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Events;

/// <summary>Appends events to a hoomi's journal, numbering them 1, 2, 3... per hoomi.</summary>
public sealed class HoomiEventJournal(IHoomiDbContext db, TimeProvider clock)
{
    private const int MaxAttempts = 20;

    public async Task<HoomiEvent> AppendAsync(Guid hoomiId, string type, string payload, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var last = await db.HoomiEvents.Where(e => e.HoomiId == hoomiId)
                .MaxAsync(e => (long?)e.Sequence, cancellationToken).ConfigureAwait(false) ?? 0;
            var entry = new HoomiEvent(hoomiId, last + 1, type, payload, clock.GetUtcNow());
            db.HoomiEvents.Add(entry);
            try
            {
                // A plain insert on the (hoomi, sequence) key: a concurrent writer that took the same number
                // makes this one wait for its commit and then fail, so a number is only ever committed after
                // all smaller ones, and a client reading "after N" cannot miss one that was still in flight.
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return entry;
            }
            catch (ConflictException) when (attempt < MaxAttempts)
            {
                db.HoomiEvents.Remove(entry); // detaches the never-inserted entry
            }
        }
    }
}
