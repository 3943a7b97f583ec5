using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Media;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hoomi.Application.Events.Commands.PruneEventJournal;

/// <summary>
/// Drops journal entries older than the retention period. The newest entry of each hoomi always stays, so
/// that sequence numbers keep counting up from it (a restart at 1 would hide new events behind old cursors).
/// </summary>
public sealed record PruneEventJournalCommand : ICommand<int>;

public sealed class PruneEventJournalCommandHandler(IHoomiDbContext db, TimeProvider clock, IOptions<RetentionOptions> retention)
    : ICommandHandler<PruneEventJournalCommand, int>
{
    public async ValueTask<int> Handle(PruneEventJournalCommand command, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - retention.Value.EventJournalRetention;
        return await db.HoomiEvents
            .Where(e => e.CreatedAt < cutoff && e.Sequence < db.HoomiEvents.Where(x => x.HoomiId == e.HoomiId).Max(x => x.Sequence))
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }
}
