using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Hoomi.Api.Endpoints;

public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>Live: the process answers. Ready: the database (and blob store) answer too.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) }).AllowAnonymous();
        return app;
    }
}
