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

    /// <summary>
    /// When set, <c>/metrics</c> answers only requests with <c>Authorization: Bearer</c> and this token (401 otherwise);
    /// unset, it is anonymous (keep it then on a network only the scraper reaches).
    /// </summary>
    public string? MetricsToken { get; set; }
}

/// <summary>
/// Gauges of storage used (meter <c>Hoomi.Storage.Usage</c>): in total and the number of hoomis, from the database's
/// transactional usage counters, refreshed periodically so that a scrape never queries the database. Never per hoomi:
/// a hoomi id in a label would tell whoever reads the metrics which hoomis exist and how much each stores.
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
        _meter.CreateObservableGauge("hoomi.storage.hoomis", () => _usage.Count, "{hoomi}", "Hoomis.");
    }

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
