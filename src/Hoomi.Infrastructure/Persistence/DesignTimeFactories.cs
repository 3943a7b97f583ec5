using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Hoomi.Infrastructure.Persistence;

/// <summary>Lets <c>dotnet ef migrations add</c> build each provider's context without starting the API.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresHoomiDbContext>
{
    public PostgresHoomiDbContext CreateDbContext(string[] args) =>
        new(PersistenceSetup.ConfigurePostgres(new DbContextOptionsBuilder<PostgresHoomiDbContext>(), "Host=localhost;Database=hoomi").Options);
}

public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteHoomiDbContext>
{
    public SqliteHoomiDbContext CreateDbContext(string[] args) =>
        new(PersistenceSetup.ConfigureSqlite(new DbContextOptionsBuilder<SqliteHoomiDbContext>(), "Data Source=design.db").Options);
}
