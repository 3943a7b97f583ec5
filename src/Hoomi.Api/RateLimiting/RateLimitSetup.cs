using System.Globalization;
using System.Threading.RateLimiting;
using Hoomi.Api.Auth;
using Hoomi.Api.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Hoomi.Api.RateLimiting;

/// <summary>
/// ASP.NET Core rate limiting, partitioned by user: a token bucket of requests for every endpoint (health and
/// metrics excepted), and <see cref="UploadByteLimiter"/> for the bytes of uploads. Refusals are 429 with
/// <c>Retry-After</c> and problem details.
/// </summary>
public static class RateLimitSetup
{
    public static IServiceCollection AddHoomiRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section))
            .Validate(o => o.RequestsPerMinute > 0 && o.UploadBytesPerHour > 0 && o.LoginFailuresPerAccountAndAddress > 0
                && o.LoginFailuresPerAddress > 0 && o.LoginFailuresPerAccount > 0 && o.LoginWindow > TimeSpan.Zero, "Hoomi:RateLimits values must be positive.")
            .ValidateOnStart();
        services.AddSingleton<UploadByteLimiter>();
        services.AddSingleton<LoginThrottle>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                await WriteTooManyAsync(context.HttpContext, retryAfter, "Too many requests.").ConfigureAwait(false);
            };
        });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((o, limits) =>
        {
            var perMinute = limits.Value.RequestsPerMinute;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                if (!limits.Value.Enabled || http.Request.Path.StartsWithSegments("/health") || http.Request.Path.StartsWithSegments("/metrics"))
                {
                    return RateLimitPartition.GetNoLimiter("exempt");
                }

                var partition = CurrentUser.UserIdOf(http.User)?.ToString() ?? "ip:" + http.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = perMinute,
                    TokensPerPeriod = Math.Max(1, perMinute / 60),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
        });
        return services;
    }

    public static async Task WriteTooManyAsync(HttpContext http, TimeSpan retryAfter, string detail)
    {
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Type = ProblemDetailsExceptionHandler.Type("rate-limited"),
                Title = "Rate limit reached; retry later.",
                Detail = detail,
            },
        }).ConfigureAwait(false);
    }
}

/// <summary>Per-user token buckets of upload bytes: an upload takes its declared size before its file is read.</summary>
public sealed class UploadByteLimiter(IOptions<RateLimitOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<Guid> _limiter = PartitionedRateLimiter.Create<Guid, Guid>(user =>
        RateLimitPartition.GetTokenBucketLimiter(user, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = (int)Math.Min(int.MaxValue, BytesToTokens(options.Value.UploadBytesPerHour)),
            TokensPerPeriod = (int)Math.Max(1, BytesToTokens(options.Value.UploadBytesPerHour) / 60),
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Null when allowed, else how long to wait. Bytes are counted in KiB tokens (a bucket holds at most int.MaxValue).</summary>
    public TimeSpan? TryTake(Guid user, long bytes)
    {
        if (!options.Value.Enabled)
        {
            return null;
        }

        var tokens = (int)Math.Min(BytesToTokens(options.Value.UploadBytesPerHour), Math.Max(1, BytesToTokens(bytes)));
        using var lease = _limiter.AttemptAcquire(user, tokens);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
    }

    private static long BytesToTokens(long bytes) => (bytes + 1023) / 1024;

    public void Dispose() => _limiter.Dispose();
}
