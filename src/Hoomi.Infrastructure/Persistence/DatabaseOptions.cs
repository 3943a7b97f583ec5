using System.ComponentModel.DataAnnotations;

namespace Hoomi.Infrastructure.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Section <c>Hoomi:Database</c>. The embedded default is a SQLite file under <c>./data</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Hoomi:Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>ADO.NET connection string; defaults to <c>Data Source=./data/hoomi.db</c> for SQLite.</summary>
    [Required(ErrorMessage = "Hoomi:Database:ConnectionString is required (for PostgreSQL: Host=...;Database=...;Username=...;Password=...).")]
    public string ConnectionString { get; set; } = "Data Source=./data/hoomi.db";

    /// <summary>Apply pending migrations when the service starts (on by default; turn off where a release job migrates).</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
