using Hoomi.Application.Common.Interfaces;
using Mediator;
using Microsoft.Extensions.Options;

namespace Hoomi.Application.Media.Commands.SweepOrphans;

/// <summary>
/// The maintenance job's removal of temp files that crashed puts left in the blob store's staging area (the filesystem
/// store's <c>.tmp</c>). A file not written to for <see cref="RetentionOptions.OrphanGracePeriod"/> has no put behind it
/// any more: a running upload writes continuously, and one that stalls is cut by the minimum upload data rate.
/// </summary>
public sealed record DeleteStaleTempFilesCommand : ICommand<DeleteStaleTempFilesResult>;

public sealed record DeleteStaleTempFilesResult(int TempFilesDeleted);

public sealed class DeleteStaleTempFilesCommandHandler(IBlobStagingArea staging, IOptions<RetentionOptions> retention)
    : ICommandHandler<DeleteStaleTempFilesCommand, DeleteStaleTempFilesResult>
{
    public async ValueTask<DeleteStaleTempFilesResult> Handle(DeleteStaleTempFilesCommand command, CancellationToken cancellationToken) =>
        new(await staging.DeleteStaleAsync(retention.Value.OrphanGracePeriod, cancellationToken).ConfigureAwait(false));
}
