using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Hoomi.Infrastructure.Persistence;

public sealed class SqliteHoomiDbContext(DbContextOptions<SqliteHoomiDbContext> options) : HoomiDbContext(options)
{
    // SQLite's primary-key and unique constraint failures share the extended code family of 19 (SQLITE_CONSTRAINT).
    private const int SqliteConstraint = 19;

    protected override bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteErrorCode: SqliteConstraint };

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // SQLite cannot compare or order DateTimeOffset text; stored as a sortable integer instead.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
