using System.Diagnostics.Metrics;
using Hoomi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hoomi.Infrastructure.Telemetry;

/// <summary>Section <c>Hoomi:Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Hoomi:Telemetry";

    /// <summary>How often storage usage is read from the database for the gauges (never per scrape).</summary>
    public TimeSpan StorageRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Export usage per hoomi too (one series each); turn off when there are very many hoomis.</summary>
    public bool StoragePerHoomi { get; set; } = true;
}

/// <summary>
/// Gauges of storage used (meter <c>Hoomi.Storage.Usage</c>): in total and per hoomi, from the database's
/// transactional usage counters, refreshed periodically so that a scrape never queries the database.
/// </summary>
internal sealed partial class StorageUsageMetrics : BackgroundService
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IOptions<TelemetryOptions> _options;
    private readonly ILogger<StorageUsageMetrics> _logger;
    private readonly Meter _meter = new("Hoomi.Storage.Usage");
    private volatile IReadOnlyList<(Guid Hoomi, long Bytes)> _usage = [];

    public StorageUsageMetrics(IServiceScopeFactory scopes, IOptions<TelemetryOptions> options, ILogger<StorageUsageMetrics> logger)
    {
        _scopes = scopes;
        _options = options;
        _logger = logger;
        _meter.CreateObservableGauge("hoomi.storage.used.total", () => _usage.Sum(u => u.Bytes), "By", "Ciphertext bytes stored, all hoomis.");
        _meter.CreateObservableGauge("hoomi.storage.used", ObservePerHoomi, "By", "Ciphertext bytes stored per hoomi.");
    }

    private IEnumerable<Measurement<long>> ObservePerHoomi() => _options.Value.StoragePerHoomi
        ? _usage.Select(u => new Measurement<long>(u.Bytes, new KeyValuePair<string, object?>("hoomi.id", u.Hoomi.ToString())))
        : [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Value.StorageRefreshInterval);
        do
        {
            try
            {
                await using var scope = _scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<HoomiDbContext>();
                var rows = await db.Hoomis.AsNoTracking().Select(h => new { h.Id, h.UsedBytes }).ToListAsync(stoppingToken).ConfigureAwait(false);
                _usage = [.. rows.Select(r => (r.Id, r.UsedBytes))];
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRefreshFailed(_logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the storage usage gauges")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
