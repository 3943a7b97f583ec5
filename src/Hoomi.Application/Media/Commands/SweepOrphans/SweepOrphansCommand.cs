using System.Diagnostics.Metrics;
using Hoomi.Application.Common.Interfaces;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hoomi.Application.Media.Commands.SweepOrphans;

/// <summary>
/// Deletes blobs under <c>media/</c> that no media row references and that are older than the grace period
/// (younger ones may belong to an upload still committing), and reports rows whose blob is missing.
/// </summary>
public sealed record SweepOrphansCommand(bool DryRun = false) : ICommand<SweepResult>;

public sealed record SweepResult(int BlobsScanned, IReadOnlyList<string> OrphansDeleted, IReadOnlyList<Guid> MediaWithMissingBlob);

public sealed partial class SweepOrphansCommandHandler(
    IHoomiDbContext db, IBlobStore blobs, TimeProvider clock, IOptions<RetentionOptions> retention, ILogger<SweepOrphansCommandHandler> logger)
    : ICommandHandler<SweepOrphansCommand, SweepResult>
{
    private static readonly Meter Meter = new("Hoomi.Maintenance");
    private static readonly Counter<long> OrphansDeletedCounter = Meter.CreateCounter<long>("hoomi.maintenance.orphans_deleted", "{blob}");
    private static readonly Counter<long> MissingBlobsCounter = Meter.CreateCounter<long>("hoomi.maintenance.missing_blobs", "{media}");

    public async ValueTask<SweepResult> Handle(SweepOrphansCommand command, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - retention.Value.OrphanGracePeriod;
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var r in db.Media.AsNoTracking().Select(m => new { m.StorageKey, m.ThumbnailStorageKey })
            .AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            referenced.Add(r.StorageKey);
            if (r.ThumbnailStorageKey is not null)
            {
                referenced.Add(r.ThumbnailStorageKey);
            }
        }

        var present = new HashSet<string>(StringComparer.Ordinal);
        var orphans = new List<string>();
        await foreach (var blob in blobs.ListAsync("media/", cancellationToken).ConfigureAwait(false))
        {
            present.Add(blob.Key);
            if (!referenced.Contains(blob.Key) && blob.LastModified < cutoff)
            {
                orphans.Add(blob.Key);
                if (!command.DryRun)
                {
                    await blobs.DeleteAsync(blob.Key, cancellationToken).ConfigureAwait(false);
                    LogOrphanDeleted(logger, blob.Key, blob.Size);
                }
            }
        }

        var missing = await MissingAsync(present, cancellationToken).ConfigureAwait(false);
        OrphansDeletedCounter.Add(command.DryRun ? 0 : orphans.Count);
        MissingBlobsCounter.Add(missing.Count);
        return new SweepResult(present.Count, orphans, missing);
    }

    private async Task<List<Guid>> MissingAsync(HashSet<string> present, CancellationToken cancellationToken)
    {
        var missing = new List<Guid>();
        await foreach (var m in db.Media.AsNoTracking().Select(m => new { m.Id, m.StorageKey, m.ThumbnailStorageKey })
            .AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (!present.Contains(m.StorageKey) || (m.ThumbnailStorageKey is not null && !present.Contains(m.ThumbnailStorageKey)))
            {
                missing.Add(m.Id);
                LogMissingBlob(logger, m.Id);
            }
        }

        return missing;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleted orphan blob {Key} ({Size} bytes) with no media row")]
    private static partial void LogOrphanDeleted(ILogger logger, string key, long size);

    [LoggerMessage(Level = LogLevel.Error, Message = "Media {MediaId} has no blob in the store")]
    private static partial void LogMissingBlob(ILogger logger, Guid mediaId);
}
