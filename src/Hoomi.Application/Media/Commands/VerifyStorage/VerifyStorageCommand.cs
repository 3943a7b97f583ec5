using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events;
using Hoomi.Application.Quotas;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hoomi.Application.Media.Commands.VerifyStorage;

/// <summary>
/// Reconciles the database with the blob store and the quota counters (<c>admin verify [--fix]</c>): media rows whose blob
/// is missing, blobs no row references, each hoomi's <c>used_bytes</c> against the sizes of its rows, reservations left by
/// crashed uploads, and temp files of crashed puts. Without <see cref="Fix"/> it only reports; with it:
/// <list type="bullet">
/// <item>a row whose content blob is missing is marked deleted (by nobody): hidden from every read with a
/// <c>MediaDeleted</c> event, restorable within the retention window if the blob is restored from a backup, purged after it;</item>
/// <item>a missing thumbnail is only reported: the item signature covers it, so the row cannot be changed without breaking it;</item>
/// <item>unreferenced blobs older than the orphan grace period are deleted (younger ones may belong to an upload still committing);</item>
/// <item><c>used_bytes</c> is set to the sum of the hoomi's rows (deleted but not yet purged rows included, as the purge frees them);</item>
/// <item>reservations older than <see cref="QuotaOptions.StaleReservationAfter"/> are released, and stale temp files deleted.</item>
/// </list>
/// </summary>
public sealed record VerifyStorageCommand(bool Fix = false) : ICommand<VerifyReport>;

public sealed record VerifyReport(
    int MediaRows,
    int BlobsScanned,
    IReadOnlyList<MissingBlob> MissingBlobs,
    IReadOnlyList<OrphanBlob> OrphanBlobs,
    int RecentUnreferencedBlobs,
    IReadOnlyList<UsageDrift> UsageDrift,
    IReadOnlyList<StaleReservation> StaleReservations,
    int? StaleTempFilesDeleted,
    bool Fixed)
{
    /// <summary>
    /// Nothing <c>--fix</c> would repair. Not drift: unreferenced blobs inside the grace period, a missing content blob of a row
    /// already deleted (awaiting its purge), and a missing thumbnail (reported, but no repair can keep the signature valid).
    /// </summary>
    public bool Clean => MissingBlobs.All(m => m.Action != "marked-deleted") && OrphanBlobs.Count == 0 && UsageDrift.Count == 0 && StaleReservations.Count == 0;
}

/// <param name="Part"><c>content</c> or <c>thumbnail</c>.</param>
/// <param name="Action">what <c>--fix</c> does or did: <c>marked-deleted</c>, <c>already-deleted</c>, <c>none</c>.</param>
public sealed record MissingBlob(Guid MediaId, Guid HoomiId, string Key, string Part, string Action);

public sealed record OrphanBlob(string Key, long Size);

public sealed record UsageDrift(Guid HoomiId, long UsedBytes, long ExpectedBytes);

public sealed record StaleReservation(Guid HoomiId, long ReservedBytes, DateTimeOffset? ReservedAt);

public sealed class VerifyStorageCommandHandler(
    IHoomiDbContext db, IBlobStore blobs, IBlobStagingArea staging, IStorageQuota quota, HoomiEventOutbox events, ThumbnailCache thumbnails,
    TimeProvider clock, IOptions<RetentionOptions> retention, IOptions<QuotaOptions> quotas)
    : ICommandHandler<VerifyStorageCommand, VerifyReport>
{
    public async ValueTask<VerifyReport> Handle(VerifyStorageCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var rows = await db.Media.AsNoTracking()
            .Select(m => new { m.Id, m.HoomiId, m.StorageKey, m.ThumbnailStorageKey, Deleted = m.DeletedAt != null })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            referenced.Add(r.StorageKey);
            if (r.ThumbnailStorageKey is not null)
            {
                referenced.Add(r.ThumbnailStorageKey);
            }
        }

        // Blobs listed after the rows were read: a blob of an upload that commits in between is young, so never deleted.
        var graceCutoff = now - retention.Value.OrphanGracePeriod;
        var present = new HashSet<string>(StringComparer.Ordinal);
        var orphans = new List<OrphanBlob>();
        var recent = 0;
        await foreach (var blob in blobs.ListAsync("media/", cancellationToken).ConfigureAwait(false))
        {
            present.Add(blob.Key);
            if (referenced.Contains(blob.Key))
            {
                continue;
            }

            if (blob.LastModified < graceCutoff)
            {
                orphans.Add(new OrphanBlob(blob.Key, blob.Size));
            }
            else
            {
                recent++;
            }
        }

        var missing = new List<MissingBlob>();
        foreach (var r in rows)
        {
            if (!present.Contains(r.StorageKey) && !await blobs.ExistsAsync(r.StorageKey, cancellationToken).ConfigureAwait(false))
            {
                missing.Add(new MissingBlob(r.Id, r.HoomiId, r.StorageKey, "content", r.Deleted ? "already-deleted" : "marked-deleted"));
            }

            if (r.ThumbnailStorageKey is not null && !present.Contains(r.ThumbnailStorageKey)
                && !await blobs.ExistsAsync(r.ThumbnailStorageKey, cancellationToken).ConfigureAwait(false))
            {
                missing.Add(new MissingBlob(r.Id, r.HoomiId, r.ThumbnailStorageKey, "thumbnail", "none"));
            }
        }

        var usage = await db.Hoomis.AsNoTracking()
            .Select(h => new
            {
                h.Id,
                h.UsedBytes,
                Expected = db.Media.Where(m => m.HoomiId == h.Id).Sum(m => (long?)(m.Size + (m.ThumbnailSize ?? 0))) ?? 0,
                h.ReservedBytes,
                h.ReservedAt,
            })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var drift = usage.Where(u => u.UsedBytes != u.Expected).Select(u => new UsageDrift(u.Id, u.UsedBytes, u.Expected)).ToList();
        var staleCutoff = now - quotas.Value.StaleReservationAfter;
        var stale = usage.Where(u => u.ReservedBytes != 0 && (u.ReservedAt is null || u.ReservedAt < staleCutoff))
            .Select(u => new StaleReservation(u.Id, u.ReservedBytes, u.ReservedAt)).ToList();

        int? tempFiles = null;
        if (command.Fix)
        {
            await MarkLostAsync(missing.Where(m => m is { Part: "content", Action: "marked-deleted" }).Select(m => m.MediaId).ToList(), now, cancellationToken)
                .ConfigureAwait(false);
            foreach (var orphan in orphans)
            {
                await blobs.DeleteAsync(orphan.Key, cancellationToken).ConfigureAwait(false);
            }

            foreach (var d in drift)
            {
                // One statement: the sum is taken where the counter is set, not from what was read above.
                await db.Hoomis.Where(h => h.Id == d.HoomiId).ExecuteUpdateAsync(
                    s => s.SetProperty(h => h.UsedBytes, h => db.Media.Where(m => m.HoomiId == h.Id).Sum(m => (long?)(m.Size + (m.ThumbnailSize ?? 0))) ?? 0),
                    cancellationToken).ConfigureAwait(false);
            }

            await quota.ReleaseStaleAsync(staleCutoff, cancellationToken).ConfigureAwait(false);
            tempFiles = await staging.DeleteStaleAsync(retention.Value.OrphanGracePeriod, cancellationToken).ConfigureAwait(false);
        }

        return new VerifyReport(rows.Count, present.Count, missing, orphans, recent, drift, stale, tempFiles, command.Fix);
    }

    private async Task MarkLostAsync(List<Guid> ids, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var id in ids)
        {
            var media = await db.Media.FirstOrDefaultAsync(m => m.Id == id, cancellationToken).ConfigureAwait(false);
            if (media is null || media.IsDeleted)
            {
                continue;
            }

            media.MarkContentLost(now);
            events.Add(media.HoomiId, HoomiEventTypes.MediaDeleted, new MediaDeletedEvent(media.HoomiId, media.Id));
            await events.SaveAsync(cancellationToken).ConfigureAwait(false);
            if (media.ThumbnailStorageKey is not null)
            {
                await thumbnails.RemoveAsync(media.ThumbnailStorageKey, cancellationToken).ConfigureAwait(false);
            }

            await events.DispatchAsync().ConfigureAwait(false);
        }
    }
}
