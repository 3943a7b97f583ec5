using Hoomi.Application.Common.Interfaces;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Hoomi.Api.Realtime;

public static class RealtimeSetup
{
    /// <summary>Redis connection string of the backplane; unset, the instance works alone.</summary>
    public const string RedisConnectionKey = "Hoomi:Redis:Connection";

    /// <summary>The hub, the notifier that replaces the no-op default, and the Redis backplane when one is configured.</summary>
    public static IServiceCollection AddHoomiRealtime(this IServiceCollection services, IConfiguration configuration)
    {
        var signalR = services.AddSignalR();
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<RealtimeMetrics>();
        services.AddSingleton<LocalMembership>();

        var redis = configuration[RedisConnectionKey];
        if (string.IsNullOrWhiteSpace(redis))
        {
            services.AddSingleton<IMembershipFanout>(sp => sp.GetRequiredService<LocalMembership>());
        }
        else
        {
            signalR.AddStackExchangeRedis(redis, o => o.Configuration.ChannelPrefix = RedisChannel.Literal("hoomi:signalr"));
            services.AddSingleton(sp => ActivatorUtilities.CreateInstance<RedisMembershipFanout>(sp, redis));
            services.AddSingleton<IMembershipFanout>(sp => sp.GetRequiredService<RedisMembershipFanout>());
            services.AddHostedService(sp => sp.GetRequiredService<RedisMembershipFanout>());
        }

        // Replace, not TryAdd: correct whether this runs before or after AddInfrastructure's no-op default.
        services.Replace(ServiceDescriptor.Singleton<IMediaNotifier, SignalRMediaNotifier>());

        // Browsers' WebSockets cannot send headers, so the hub's bearer token travels in the query string,
        // and the hosting diagnostics' "Request starting" line logs the whole URL at Information. This rule
        // is added after the configuration's, so it wins even where an operator turns Microsoft.AspNetCore up.
        // Request logs without the query come from OpenTelemetry (which redacts query values) instead.
        services.AddLogging(b => b.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning));
        return services;
    }

    public static IEndpointRouteBuilder MapHoomiRealtime(this IEndpointRouteBuilder app)
    {
        // A connection ends when the token it was opened with expires (checked on the server's keep-alive tick): a
        // client must come back with a fresh token, which is also when its memberships are read again.
        app.MapHub<MediaHub>(MediaHub.Path, o => o.CloseOnAuthenticationExpiration = true);
        return app;
    }
}
