using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Hoomi.Infrastructure.Storage;

/// <summary>
/// Ready when the store answers a cheap request: an existence check of a key that is never written
/// (a read permission is all it needs, so it also works with a least-privilege service account).
/// </summary>
public sealed class BlobStoreHealthCheck(IBlobStore store) : IHealthCheck
{
    private const string ProbeKey = "health/probe";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.ExistsAsync(ProbeKey, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (StorageUnavailableException e)
        {
            return new HealthCheckResult(context?.Registration.FailureStatus ?? HealthStatus.Unhealthy, "The blob store is unavailable.", e);
        }
    }
}
