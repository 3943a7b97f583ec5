using Hoomi.Application.Common.Interfaces;
using Mediator;
using Microsoft.Extensions.Options;

namespace Hoomi.Application.Quotas.Commands;

/// <summary>
/// The maintenance job's release of reservations that uploads left behind (a crash between reserving and committing or
/// releasing): a hoomi whose newest reservation is older than <see cref="QuotaOptions.StaleReservationAfter"/> has no
/// upload still running, so everything it holds reserved is released.
/// </summary>
public sealed record ReleaseStaleReservationsCommand : ICommand<ReleaseStaleReservationsResult>;

public sealed record ReleaseStaleReservationsResult(int HoomisReleased);

public sealed class ReleaseStaleReservationsCommandHandler(IStorageQuota quota, TimeProvider clock, IOptions<QuotaOptions> options)
    : ICommandHandler<ReleaseStaleReservationsCommand, ReleaseStaleReservationsResult>
{
    public async ValueTask<ReleaseStaleReservationsResult> Handle(ReleaseStaleReservationsCommand command, CancellationToken cancellationToken) =>
        new(await quota.ReleaseStaleAsync(clock.GetUtcNow() - options.Value.StaleReservationAfter, cancellationToken).ConfigureAwait(false));
}
