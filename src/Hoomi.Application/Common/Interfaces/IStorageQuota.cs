namespace Hoomi.Application.Common.Interfaces;

/// <summary>
/// Per-hoomi storage accounting. An upload reserves its bytes before the first byte of its file is read, so
/// that concurrent uploads cannot together exceed the quota; the reservation becomes usage in the upload's
/// own transaction, or is released when the upload fails.
/// </summary>
public interface IStorageQuota
{
    /// <summary>Reserves the bytes or throws <see cref="Exceptions.QuotaExceededException"/>.</summary>
    Task<QuotaReservation> ReserveAsync(Guid hoomiId, long bytes, CancellationToken cancellationToken);

    /// <summary>Turns the reservation into usage; call inside the transaction that stores the media row.</summary>
    Task CommitAsync(QuotaReservation reservation, CancellationToken cancellationToken);

    Task ReleaseAsync(QuotaReservation reservation, CancellationToken cancellationToken);

    /// <summary>Adds (positive) or frees (negative) usage directly, for forwards and purges.</summary>
    Task AdjustUsageAsync(Guid hoomiId, long bytes, CancellationToken cancellationToken);

    /// <summary>
    /// Releases what hoomis hold reserved when their last reservation is older than <paramref name="olderThan"/>: left by
    /// uploads that crashed before committing or releasing. Returns the number of hoomis whose reservation was released.
    /// </summary>
    Task<int> ReleaseStaleAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);
}

public sealed record QuotaReservation(Guid HoomiId, long Bytes);

/// <summary>
/// Where a failed upload's reservation goes when releasing it fails (the database is unreachable at that moment): it is
/// released again in the background until the database answers, so that an outage does not hold quota for the
/// <see cref="Quotas.QuotaOptions.StaleReservationAfter"/> the maintenance job waits for (that job still covers a process
/// that dies with releases pending).
/// </summary>
public interface IReservationReleaseRetries
{
    void Enqueue(QuotaReservation reservation);
}
