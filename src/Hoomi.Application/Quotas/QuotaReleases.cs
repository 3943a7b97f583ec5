using Hoomi.Application.Common.Interfaces;

namespace Hoomi.Application.Quotas;

public static class QuotaReleases
{
    /// <summary>
    /// Releases a failed upload's reservation, or, when the database cannot be reached to do so, queues it for a background
    /// retry; never throws, so that the upload's own error is what the client sees.
    /// </summary>
    public static async Task ReleaseOrQueueAsync(this IStorageQuota quota, QuotaReservation reservation, IReservationReleaseRetries retries)
    {
        try
        {
            await quota.ReleaseAsync(reservation, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            retries.Enqueue(reservation);
        }
    }
}
