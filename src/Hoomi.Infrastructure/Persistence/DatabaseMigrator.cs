using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hoomi.Infrastructure.Persistence;

/// <summary>Applies the provider's checked-in migrations before the service takes requests.</summary>
internal sealed partial class DatabaseMigrator(IServiceProvider services, IOptions<DatabaseOptions> options, ILogger<DatabaseMigrator> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateOnStartup)
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        await using var db = CreateMigrationContext(scope.ServiceProvider);
        if (options.Value.Provider == DatabaseProvider.Sqlite)
        {
            EnsureSqliteDirectory(options.Value.ConnectionString);
        }

        // MigrateAsync creates the history table itself; asking for pending migrations first would log a
        // failed query against a fresh database (and so does MigrateAsync on PostgreSQL, see CreateMigrationContext).
        LogMigrating(logger, options.Value.Provider);
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The service's own context with one difference: a failed command is logged at Debug, not Error. On a brand-new
    /// PostgreSQL database EF Core reads the migrations history before the table exists and logs that expected
    /// failure as an error ("Failed executing DbCommand ... __ef_migrations_history", npgsql/efcore.pg#3407,
    /// dotnet/efcore#37328), which alarms whoever starts Hoomi for the first time. A migration that really fails
    /// still throws, and the host reports it.
    /// </summary>
    private HoomiDbContext CreateMigrationContext(IServiceProvider provider) => options.Value.Provider == DatabaseProvider.Postgres
        ? new PostgresHoomiDbContext(Quiet(provider.GetRequiredService<DbContextOptions<PostgresHoomiDbContext>>()))
        : new SqliteHoomiDbContext(Quiet(provider.GetRequiredService<DbContextOptions<SqliteHoomiDbContext>>()));

    private static DbContextOptions<TContext> Quiet<TContext>(DbContextOptions<TContext> configured)
        where TContext : DbContext =>
        new DbContextOptionsBuilder<TContext>(configured)
            .ConfigureWarnings(w => w.Log((RelationalEventId.CommandError, LogLevel.Debug)))
            .Options;

    private static void EnsureSqliteDirectory(string connectionString)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory) && builder.DataSource != ":memory:")
        {
            Directory.CreateDirectory(directory);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Bringing the {Provider} database up to date")]
    private static partial void LogMigrating(ILogger logger, DatabaseProvider provider);
}
