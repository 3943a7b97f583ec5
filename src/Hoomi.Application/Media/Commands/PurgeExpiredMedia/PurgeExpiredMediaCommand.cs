using Hoomi.Application.Common.Interfaces;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hoomi.Application.Media.Commands.PurgeExpiredMedia;

/// <summary>
/// Removes for good what was deleted longer ago than the restore window: rows, wrapped keys, usage, and the
/// blobs no other media item (a forward) still uses. Rows go first, so a failed blob delete leaves an orphan
/// for the sweep, never a row without its blob.
/// </summary>
public sealed record PurgeExpiredMediaCommand(int BatchSize = 200) : ICommand<PurgeResult>;

public sealed record PurgeResult(int MediaPurged, int BlobsDeleted);

public sealed class PurgeExpiredMediaCommandHandler(
    IHoomiDbContext db, IBlobStore blobs, IStorageQuota quota, TimeProvider clock, IOptions<RetentionOptions> retention)
    : ICommandHandler<PurgeExpiredMediaCommand, PurgeResult>
{
    public async ValueTask<PurgeResult> Handle(PurgeExpiredMediaCommand command, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - retention.Value.RestoreWindow;
        var (purged, deleted) = (0, 0);
        var skipped = new List<Guid>();
        while (true)
        {
            var batch = await db.Media.AsNoTracking().Where(m => m.DeletedAt != null && m.DeletedAt < cutoff && !skipped.Contains(m.Id))
                .OrderBy(m => m.DeletedAt).Take(command.BatchSize)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                return new PurgeResult(purged, deleted);
            }

            foreach (var media in batch)
            {
                await using (var transaction = await db.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
                {
                    // Conditional, not by key alone: a restore that committed after the batch was read makes the row
                    // no longer expired, and the purge must then leave it (and its blobs) alone. Wrapped keys go by
                    // the database's cascade.
                    var removed = await db.Media
                        .Where(m => m.Id == media.Id && m.DeletedAt != null && m.DeletedAt < cutoff)
                        .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                    if (removed == 0)
                    {
                        skipped.Add(media.Id);
                        continue; // the transaction is disposed, so rolled back; nothing was changed
                    }

                    await quota.AdjustUsageAsync(media.HoomiId, -media.StoredBytes, cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }

                purged++;
                foreach (var key in new[] { media.StorageKey, media.ThumbnailStorageKey }.OfType<string>())
                {
                    var stillUsed = await db.Media.AnyAsync(m => m.StorageKey == key || m.ThumbnailStorageKey == key, cancellationToken).ConfigureAwait(false);
                    if (!stillUsed)
                    {
                        await blobs.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
                        deleted++;
                    }
                }
            }
        }
    }
}
