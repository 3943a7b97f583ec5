using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Hoomi.Api.Tests.Infrastructure;

/// <summary>
/// The real service in memory (TestServer) over a real database: a fresh PostgreSQL database per factory
/// by default, or a SQLite file. Blobs go to a fresh temporary folder. Extra settings override configuration.
/// </summary>
public sealed class HoomiApiFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    private HoomiApiFactory(Dictionary<string, string?> settings, string blobRoot)
    {
        _settings = settings;
        BlobRoot = blobRoot;
    }

    public string BlobRoot { get; }

    /// <summary>Service replacements applied after the service's own registrations (a fake clock, say).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    public string ConnectionString => _settings["Hoomi:Database:ConnectionString"]!;

    public static HoomiApiFactory OnPostgres(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? testServices = null) =>
        Create("Postgres", TestServers.Postgres.CreateDatabase(), settings, testServices);

    /// <summary>On a fresh database of another PostgreSQL server than the shared one (a fault test that stops its server).</summary>
    public static HoomiApiFactory OnPostgres(Hoomi.Testing.PostgresServer server, IDictionary<string, string?>? settings = null) =>
        Create("Postgres", server.CreateDatabase(), settings);

    public static HoomiApiFactory OnSqlite(IDictionary<string, string?>? settings = null)
    {
        var file = Path.Combine(Path.GetTempPath(), "hoomi-test-" + Guid.NewGuid().ToString("N")[..12] + ".db");
        return Create("Sqlite", $"Data Source={file}", settings);
    }

    private static HoomiApiFactory Create(string provider, string connectionString, IDictionary<string, string?>? extra, Action<IServiceCollection>? testServices = null)
    {
        var blobRoot = Path.Combine(Path.GetTempPath(), "hoomi-blobs-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(blobRoot);
        var settings = new Dictionary<string, string?>
        {
            ["Hoomi:Database:Provider"] = provider,
            ["Hoomi:Database:ConnectionString"] = connectionString,
            ["Hoomi:Storage:Provider"] = "FileSystem",
            ["Hoomi:Storage:FileSystem:Root"] = blobRoot,
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        return new HoomiApiFactory(settings, blobRoot) { TestServices = testServices };
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (TestServices is not null)
        {
            builder.ConfigureTestServices(TestServices);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(BlobRoot))
        {
            Directory.Delete(BlobRoot, recursive: true);
        }
    }
}
