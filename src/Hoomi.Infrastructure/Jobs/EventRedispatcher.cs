using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hoomi.Infrastructure.Jobs;

/// <summary>
/// The outbox's safety net: every <see cref="EventDispatchOptions.RedispatchInterval"/>, the journal rows committed more
/// than <see cref="EventDispatchOptions.RedispatchAfter"/> ago and still not dispatched (the send failed, or the process
/// died between the commit and the send) are sent, per hoomi in order. One instance at a time (a distributed lock);
/// the rows survive a restart, so the first run after one sends what the dead process did not.
/// </summary>
internal sealed partial class EventRedispatcher(
    IServiceScopeFactory scopes, EventDispatcher dispatcher, IOptions<EventDispatchOptions> options, TimeProvider clock, ILogger<EventRedispatcher> logger)
    : BackgroundService
{
    private const int HoomisPerRun = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!dispatcher.Delivers)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.RedispatchInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Retried at the next tick; the rows stay undispatched until then.
                LogFailed(logger, ex);
            }
        }
    }

    private async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var locks = scope.ServiceProvider.GetRequiredService<IDistributedLock>();
        await using var held = await locks.TryAcquireAsync("event-redispatch", cancellationToken).ConfigureAwait(false);
        if (held is null)
        {
            return;
        }

        var db = scope.ServiceProvider.GetRequiredService<IHoomiDbContext>();
        var cutoff = clock.GetUtcNow() - options.Value.RedispatchAfter;
        var hoomiIds = await db.HoomiEvents.AsNoTracking()
            .Where(e => e.DispatchedAt == null && e.CreatedAt <= cutoff)
            .Select(e => e.HoomiId)
            .Distinct()
            .Take(HoomisPerRun)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var hoomiId in hoomiIds)
        {
            var sent = await dispatcher.DispatchPendingAsync(hoomiId, cancellationToken).ConfigureAwait(false);
            if (sent > 0)
            {
                LogRedispatched(logger, sent, hoomiId);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Sent {Count} event(s) of hoomi {HoomiId} that had not been dispatched after their commit")]
    private static partial void LogRedispatched(ILogger logger, int count, Guid hoomiId);

    [LoggerMessage(LogLevel.Error, "The background event dispatch failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
