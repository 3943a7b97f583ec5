using Microsoft.EntityFrameworkCore;
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
        var db = scope.ServiceProvider.GetRequiredService<HoomiDbContext>();
        if (options.Value.Provider == DatabaseProvider.Sqlite)
        {
            EnsureSqliteDirectory(options.Value.ConnectionString);
        }

        // MigrateAsync creates the history table itself; asking for pending migrations first would log a
        // failed query against a fresh database.
        LogMigrating(logger, options.Value.Provider);
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

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
