using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Hoomi.Api.Telemetry;

/// <summary>
/// Metrics for Prometheus at <c>/metrics</c> (HTTP server semantic conventions plus the <c>hoomi.*</c> meters)
/// and traces of the request path (API → database → blob store), exported over OTLP when an endpoint is set
/// (<c>Hoomi:Telemetry:OtlpEndpoint</c> or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).
/// </summary>
public static class TelemetrySetup
{
    public const string HoomiMeters = "Hoomi.*";

    public static IServiceCollection AddHoomiTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otlp = configuration["Hoomi:Telemetry:OtlpEndpoint"] ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("hoomi-media"))
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(HoomiMeters)
                    // No scrape cache: two scrapes a moment apart must see what happened between them.
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (!string.IsNullOrWhiteSpace(otlp))
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/metrics")
                        && !http.Request.Path.StartsWithSegments("/health"))
                    .AddSource(HoomiMeters)
                    .AddNpgsql();
                if (!string.IsNullOrWhiteSpace(otlp))
                {
                    tracing.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
                }
            });
        return services;
    }

    public static IEndpointRouteBuilder MapHoomiMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
