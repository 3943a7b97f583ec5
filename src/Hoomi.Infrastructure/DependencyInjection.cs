using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events;
using Hoomi.Application.Quotas;
using Hoomi.Application.Media;
using Hoomi.Infrastructure.Jobs;
using Hoomi.Infrastructure.Persistence;
using Hoomi.Infrastructure.Storage;
using Hoomi.Infrastructure.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Hoomi.Infrastructure;

public static class DependencyInjection
{
    /// <summary>The database (PostgreSQL or SQLite, by configuration), its migrations, and the infrastructure ports.</summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection(DatabaseOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        // Pooled: a request leases a context that was built once and reset after its last use, instead of building
        // a new one (service provider lookups, change tracker, ≈ 10 KB) per request. The options are built once, from
        // the root provider: interceptors must be singletons (they are: IInterceptor registrations are).
        if (database.Provider == DatabaseProvider.Postgres)
        {
            services.AddDbContextPool<HoomiDbContext, PostgresHoomiDbContext>((sp, o) =>
                PersistenceSetup.ConfigurePostgres(o, sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString)
                    .AddInterceptors(sp.GetServices<IInterceptor>()));
        }
        else
        {
            services.AddDbContextPool<HoomiDbContext, SqliteHoomiDbContext>((sp, o) =>
                PersistenceSetup.ConfigureSqlite(o, sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString)
                    .AddInterceptors(sp.GetServices<IInterceptor>()));
        }

        // First of the hosted services: the host starts them in order, so nothing queries the database before it is migrated.
        services.AddHostedService<DatabaseMigrator>();
        services.AddScoped<IHoomiDbContext>(sp => sp.GetRequiredService<HoomiDbContext>());
        services.AddScoped<IStorageQuota, DbStorageQuota>();
        services.AddSingleton<ReservationReleaseRetrier>();
        services.AddSingleton<IReservationReleaseRetries>(sp => sp.GetRequiredService<ReservationReleaseRetrier>());
        services.AddHostedService(sp => sp.GetRequiredService<ReservationReleaseRetrier>());
        services.AddSingleton<IDistributedLock, DatabaseDistributedLock>();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section));
        services.AddHostedService<MaintenanceJobs>();
        services.AddOptions<EventDispatchOptions>().Bind(configuration.GetSection(EventDispatchOptions.Section))
            .Validate(o => o.RedispatchInterval > TimeSpan.Zero && o.RedispatchAfter >= TimeSpan.Zero,
                "Hoomi:Events:RedispatchInterval must be positive and Hoomi:Events:RedispatchAfter not negative.")
            .ValidateOnStart();
        services.AddSingleton<EventDispatcher>();
        services.AddSingleton<IEventDispatcher>(sp => sp.GetRequiredService<EventDispatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<EventDispatcher>());
        services.AddHostedService<EventRedispatcher>();
        // HybridCache keeps thumbnails in memory, and in Redis as its second level when one is configured
        // (the same connection as the SignalR backplane), so that instances share what they have read.
        var redis = configuration["Hoomi:Redis:Connection"];
        if (!string.IsNullOrWhiteSpace(redis))
        {
            services.AddStackExchangeRedisCache(o =>
            {
                o.Configuration = redis;
                o.InstanceName = "hoomi:";
            });
        }

        services.AddHybridCache();
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.Section));
        services.AddHostedService<StorageUsageMetrics>();

        services.AddBlobStorage(configuration);
        var store = services.Last(d => d.ServiceType == typeof(IBlobStore));
        services.Remove(store);
        services.AddSingleton<IBlobStore>(sp => new InstrumentedBlobStore((IBlobStore)store.ImplementationFactory!(sp)));
        services.AddOptions<QuotaOptions>().Bind(configuration.GetSection(QuotaOptions.Section));
        services.TryAddSingleton<IMediaNotifier, NoOpMediaNotifier>();
        return services;
    }
}
