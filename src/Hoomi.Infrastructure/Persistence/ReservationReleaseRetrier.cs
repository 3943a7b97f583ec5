using System.Threading.Channels;
using Hoomi.Application.Common.Interfaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hoomi.Infrastructure.Persistence;

/// <summary>
/// Releases, in the background, reservations that a failed upload could not release itself (the database was down): each
/// is retried every <see cref="RetryDelay"/> until the database answers. In memory only: a process that dies with some
/// pending leaves them to the maintenance job's stale-reservation release.
/// </summary>
internal sealed partial class ReservationReleaseRetrier(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ReservationReleaseRetrier> logger)
    : BackgroundService, IReservationReleaseRetries
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly Channel<QuotaReservation> _pending = Channel.CreateUnbounded<QuotaReservation>();

    public void Enqueue(QuotaReservation reservation)
    {
        LogQueued(logger, reservation.HoomiId, reservation.Bytes);
        _pending.Writer.TryWrite(reservation);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var reservation in _pending.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<IStorageQuota>().ReleaseAsync(reservation, stoppingToken).ConfigureAwait(false);
                    LogReleased(logger, reservation.HoomiId, reservation.Bytes);
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException && ex is not OutOfMemoryException)
                {
                    await Task.Delay(RetryDelay, clock, stoppingToken).ConfigureAwait(false);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release {Bytes} reserved bytes of hoomi {HoomiId}; retrying in the background")]
    private static partial void LogQueued(ILogger logger, Guid hoomiId, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released {Bytes} reserved bytes of hoomi {HoomiId} after a retry")]
    private static partial void LogReleased(ILogger logger, Guid hoomiId, long bytes);
}
