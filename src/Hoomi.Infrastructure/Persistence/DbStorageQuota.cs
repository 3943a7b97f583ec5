using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Quotas;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hoomi.Infrastructure.Persistence;

/// <summary>
/// Quota accounting with single conditional UPDATEs on the hoomi row: the database serialises concurrent
/// reservations of one hoomi (PostgreSQL re-checks the WHERE clause after a concurrent update), so the check
/// and the reservation cannot be separated by another upload.
/// </summary>
internal sealed class DbStorageQuota(HoomiDbContext db, IOptions<QuotaOptions> options, TimeProvider clock) : IStorageQuota
{
    public async Task<QuotaReservation> ReserveAsync(Guid hoomiId, long bytes, CancellationToken cancellationToken)
    {
        var defaultQuota = options.Value.DefaultHoomiBytes;
        var now = clock.GetUtcNow();
        var reserved = await db.Hoomis
            .Where(h => h.Id == hoomiId && h.UsedBytes + h.ReservedBytes + bytes <= (h.StorageQuotaBytes ?? defaultQuota))
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.ReservedBytes, h => h.ReservedBytes + bytes).SetProperty(h => h.ReservedAt, now), cancellationToken)
            .ConfigureAwait(false);
        if (reserved == 1)
        {
            return new QuotaReservation(hoomiId, bytes);
        }

        var state = await db.Hoomis.AsNoTracking().Where(h => h.Id == hoomiId)
            .Select(h => new { Used = h.UsedBytes + h.ReservedBytes, Quota = h.StorageQuotaBytes ?? defaultQuota })
            .FirstAsync(cancellationToken).ConfigureAwait(false);
        throw new QuotaExceededException(state.Used, state.Quota, bytes);
    }

    public Task CommitAsync(QuotaReservation reservation, CancellationToken cancellationToken) =>
        db.Hoomis.Where(h => h.Id == reservation.HoomiId)
            .ExecuteUpdateAsync(
                s => s.SetProperty(h => h.ReservedBytes, h => h.ReservedBytes >= reservation.Bytes ? h.ReservedBytes - reservation.Bytes : 0)
                      .SetProperty(h => h.UsedBytes, h => h.UsedBytes + reservation.Bytes),
                cancellationToken);

    public Task ReleaseAsync(QuotaReservation reservation, CancellationToken cancellationToken) =>
        db.Hoomis.Where(h => h.Id == reservation.HoomiId)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.ReservedBytes, h => h.ReservedBytes >= reservation.Bytes ? h.ReservedBytes - reservation.Bytes : 0), cancellationToken);

    // Never below zero elsewhere either (Commit, Release): an upload slower than the staleness limit that finishes after
    // its reservation was released must not drive the counter negative.
    public Task<int> ReleaseStaleAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) =>
        db.Hoomis.Where(h => h.ReservedBytes != 0 && (h.ReservedAt == null || h.ReservedAt < olderThan))
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.ReservedBytes, 0L), cancellationToken);

    public Task AdjustUsageAsync(Guid hoomiId, long bytes, CancellationToken cancellationToken) =>
        db.Hoomis.Where(h => h.Id == hoomiId)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.UsedBytes, h => h.UsedBytes + bytes), cancellationToken);
}
