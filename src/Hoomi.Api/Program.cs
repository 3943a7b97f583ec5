using System.Text.Json.Serialization;
using Hoomi.Api.Admin;
using Hoomi.Api.Auth;
using Hoomi.Api.Endpoints;
using Hoomi.Api.Errors;
using Hoomi.Api.Network;
using Hoomi.Api.RateLimiting;
using Hoomi.Api.Realtime;
using Hoomi.Api.Telemetry;
using Hoomi.Application;
using Hoomi.Application.Common.Authorization;
using Hoomi.Application.Common.Behaviours;
using Hoomi.Application.Media;
using Hoomi.Infrastructure;
using Hoomi.Infrastructure.Persistence;
using Hoomi.Infrastructure.Storage;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

// Layers
builder.Services.AddApplication();
builder.Services.AddInfrastructure(builder.Configuration);
builder.Services.AddMediator(options =>
{
    options.ServiceLifetime = ServiceLifetime.Scoped;
    options.Assemblies = [typeof(ApplicationAssembly)];
    // Authorization (membership of the hoomi a request names) before validation: one place, see docs/architecture.md.
    options.PipelineBehaviors = [typeof(LoggingBehaviour<,>), typeof(HoomiAuthorizationBehaviour<,>), typeof(ValidationBehaviour<,>)];
});

// HTTP
builder.Services.AddHoomiAuthentication(builder.Configuration);
builder.Services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.Section)
    .Validate(o => o.MinUploadBytesPerSecond >= 0, "Hoomi:Media:MinUploadBytesPerSecond must be 0 (off) or more.")
    .Validate(o => o.MinUploadBytesPerSecond == 0 || o.MinUploadRateGracePeriod > TimeSpan.FromSeconds(1),
        "Hoomi:Media:MinUploadRateGracePeriod must be more than 1 second (Kestrel checks rates once a second).")
    .Validate(o => o.UploadIdleTimeout >= TimeSpan.Zero, "Hoomi:Media:UploadIdleTimeout must be 00:00:00 (off) or more.")
    .ValidateOnStart();
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemShape.Apply);
builder.Services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
builder.Services.AddOpenApi(o => o.AddOperationTransformer<Hoomi.Api.OpenApi.ProblemResponsesTransformer>().AddSchemaTransformer<Hoomi.Api.OpenApi.StringEnumSchemaTransformer>());
builder.Services.AddHoomiTelemetry(builder.Configuration);
builder.Services.AddHoomiRealtime(builder.Configuration);
builder.Services.AddHoomiRateLimits(builder.Configuration);
builder.Services.AddHoomiNetwork(builder.Configuration);
builder.Services.AddHealthChecks()
    .AddDbContextCheck<HoomiDbContext>("database", tags: [HealthEndpoints.ReadyTag])
    .AddCheck<BlobStoreHealthCheck>("blob-store", tags: [HealthEndpoints.ReadyTag]);

var app = builder.Build();
if (AdminCommands.IsAdmin(args))
{
    return await AdminCommands.RunAsync(app.Services, args);
}

app.UseHoomiForwardedHeaders();
app.UseErrorCounting();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapOpenApi();
app.MapScalarApiReference();
app.MapHealthEndpoints();
app.MapHoomiMetrics();
app.MapHoomiAuth();
app.MapMeEndpoints();
app.MapHoomiEndpoints();
app.MapMemberEndpoints();
app.MapMediaEndpoints();
app.MapEventEndpoints();
app.MapHoomiRealtime();

await app.RunAsync();
return 0;

/// <summary>The service's entry point; public so that functional tests can host it.</summary>
public partial class Program;
