using System.Security.Cryptography;
using System.Text;
using Hoomi.Infrastructure.Telemetry;
using Microsoft.Extensions.Options;
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

    private static readonly System.Diagnostics.Metrics.Meter HttpMeter = new("Hoomi.Http");
    private static readonly System.Diagnostics.Metrics.Counter<long> Errors = HttpMeter.CreateCounter<long>(
        "hoomi.http.errors", "{response}", "Responses with a 4xx or 5xx status, by status class and route.");

    /// <summary>Counts error responses by status class; placed first so that it sees the final status.</summary>
    public static IApplicationBuilder UseErrorCounting(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        try
        {
            await next(http);
        }
        finally
        {
            var status = http.Response.StatusCode;
            if (status >= 400)
            {
                var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
                Errors.Add(1, new KeyValuePair<string, object?>("status_class", status >= 500 ? "5xx" : "4xx"),
                    new KeyValuePair<string, object?>("http.route", route));
            }
        }
    });

    public static IEndpointRouteBuilder MapHoomiMetrics(this IEndpointRouteBuilder app)
    {
        var token = app.ServiceProvider.GetRequiredService<IOptions<TelemetryOptions>>().Value.MetricsToken;
        var scrape = app.MapPrometheusScrapingEndpoint("/metrics");
        if (!string.IsNullOrEmpty(token))
        {
            var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
            scrape.Add(endpoint =>
            {
                var inner = endpoint.RequestDelegate!;
                endpoint.RequestDelegate = async http =>
                {
                    var header = http.Request.Headers.Authorization.ToString();
                    var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : "";
                    // Hashes compared in constant time: neither the token nor its length leaks through timing.
                    if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), expected))
                    {
                        http.Response.Headers.WWWAuthenticate = "Bearer";
                        await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, type: "urn:hoomi:problem:unauthorized",
                            title: "Authentication is required.", detail: "/metrics needs Authorization: Bearer with the metrics token.").ExecuteAsync(http);
                        return;
                    }

                    await inner(http);
                };
            });
        }

        return app;
    }
}
