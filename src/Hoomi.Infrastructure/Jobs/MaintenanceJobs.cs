using Hoomi.Application.Quotas.Commands;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events.Commands.PruneEventJournal;
using Hoomi.Application.Media;
using Hoomi.Application.Media.Commands.PurgeExpiredMedia;
using Hoomi.Application.Media.Commands.SweepOrphans;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hoomi.Infrastructure.Jobs;

/// <summary>
/// Runs the retention purge, the event journal prune and the release of stale quota reservations (every PurgeInterval),
/// and the orphan sweep and the removal of stale temp files (every OrphanSweepInterval). Each run takes a lock first, so that only one
/// instance of a scaled-out deployment does the work at a time.
/// </summary>
internal sealed partial class MaintenanceJobs(
    IServiceScopeFactory scopes, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<MaintenanceJobs> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunJobs)
        {
            return;
        }

        var nextPurge = clock.GetUtcNow() + TimeSpan.FromMinutes(1);
        var nextSweep = clock.GetUtcNow() + TimeSpan.FromMinutes(5);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var now = clock.GetUtcNow();
            if (now >= nextPurge)
            {
                nextPurge = now + options.Value.PurgeInterval;
                await RunAsync("retention-purge", new PurgeExpiredMediaCommand(), stoppingToken).ConfigureAwait(false);
                await RunAsync("event-journal-prune", new PruneEventJournalCommand(), stoppingToken).ConfigureAwait(false);
                await RunAsync("stale-reservations", new ReleaseStaleReservationsCommand(), stoppingToken).ConfigureAwait(false);
            }

            if (now >= nextSweep)
            {
                nextSweep = now + options.Value.OrphanSweepInterval;
                await RunAsync("orphan-sweep", new SweepOrphansCommand(), stoppingToken).ConfigureAwait(false);
                await RunAsync("stale-temp-files", new DeleteStaleTempFilesCommand(), stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RunAsync<TResult>(string name, ICommand<TResult> command, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var locks = scope.ServiceProvider.GetRequiredService<IDistributedLock>();
            await using var held = await locks.TryAcquireAsync(name, cancellationToken).ConfigureAwait(false);
            if (held is null)
            {
                return;
            }

            var result = await scope.ServiceProvider.GetRequiredService<ISender>().Send(command, cancellationToken).ConfigureAwait(false);
            LogRan(logger, name, result);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failed run is retried at the next interval; the service keeps serving.
            LogFailed(logger, ex, name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Job} ran: {Result}")]
    private static partial void LogRan(ILogger logger, string job, object? result);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {Job} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string job);
}
