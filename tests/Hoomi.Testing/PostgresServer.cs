using Npgsql;

namespace Hoomi.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster (initdb + pg_ctl on a free loopback port), started by the tests
/// themselves because Docker is not available. Set HOOMI_TEST_POSTGRES to a connection string to
/// use an existing server instead.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string? _dataDirectory;
    private readonly string? _pgCtl;
    private readonly bool _asPostgresUser;
    private readonly string? _options;

    private PostgresServer(string connectionString, string? dataDirectory, string? pgCtl, bool asPostgresUser, string? options = null)
    {
        ConnectionString = connectionString;
        _dataDirectory = dataDirectory;
        _pgCtl = pgCtl;
        _asPostgresUser = asPostgresUser;
        _options = options;
    }

    /// <summary>True for a cluster these tests started (and so may stop and start again), false for HOOMI_TEST_POSTGRES.</summary>
    public bool IsOwn => _dataDirectory is not null;

    /// <summary>Stops the server at once (<c>pg_ctl stop -m immediate</c>: connections are cut, as in a crash).</summary>
    public void Kill()
    {
        if (!IsOwn)
        {
            throw new InvalidOperationException("An external PostgreSQL is not stopped by the tests.");
        }

        RunAs(_asPostgresUser, _pgCtl!, ["-D", _dataDirectory!, "-m", "immediate", "-w", "stop"]);
    }

    /// <summary>Starts a killed server again, on the same port with the same data (crash recovery runs first).</summary>
    public void StartAgain()
    {
        if (!IsOwn)
        {
            throw new InvalidOperationException("An external PostgreSQL is not started by the tests.");
        }

        RunAs(_asPostgresUser, _pgCtl!, ["-D", _dataDirectory!, "-o", _options!, "-l", Path.Combine(Path.GetDirectoryName(_dataDirectory)!, "log"), "-w", "-t", "60", "start"]);
    }

    /// <summary>Connection string of the maintenance database (<c>postgres</c>).</summary>
    public string ConnectionString { get; }

    /// <param name="durableCommits">
    /// Commits reach the WAL before they return (<c>synchronous_commit=on</c>), for tests that kill the server: with the
    /// shared cluster's <c>off</c>, an immediate stop loses the last commits, which a real deployment would not.
    /// </param>
    public static PostgresServer Start(bool durableCommits = false)
    {
        var external = Environment.GetEnvironmentVariable("HOOMI_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(external))
        {
            return new PostgresServer(external, null, null, false);
        }

        var binDirs = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")).ToArray()
            : [];
        var initdb = ExternalProcess.Which("initdb", binDirs)
            ?? throw new InvalidOperationException("initdb not found: install the PostgreSQL server (apt-get install postgresql), or run ./test.sh which does.");
        var pgCtl = Path.Combine(Path.GetDirectoryName(initdb)!, "pg_ctl");

        var root = Path.Combine(Path.GetTempPath(), "hoomi-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(root);
        var asPostgres = ExternalProcess.IsRoot;
        if (asPostgres)
        {
            // initdb refuses to run as root: the cluster belongs to the postgres system user.
            ExternalProcess.Run("chown", ["postgres", root]);
        }

        var port = ExternalProcess.FreeTcpPort();
        RunAs(asPostgres, initdb, ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
        var options = $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit={(durableCommits ? "on" : "off")} -c full_page_writes=off -c max_connections=300";
        RunAs(asPostgres, pgCtl, ["-D", data, "-o", options, "-l", Path.Combine(root, "log"), "-w", "-t", "60", "start"]);

        var cs = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Database = "postgres",
            Pooling = true,
        }.ConnectionString;
        var server = new PostgresServer(cs, data, pgCtl, asPostgres, options);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    }

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    public string CreateDatabase(string? name = null)
    {
        name ??= "hoomi_" + Guid.NewGuid().ToString("N")[..12];
        using (var conn = new NpgsqlConnection(ConnectionString))
        {
            conn.Open();
            using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            cmd.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    public void Dispose()
    {
        if (_dataDirectory is null || _pgCtl is null || !Directory.Exists(_dataDirectory))
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            RunAs(_asPostgresUser, _pgCtl, ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        try
        {
            Directory.Delete(Path.GetDirectoryName(_dataDirectory)!, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void RunAs(bool asPostgres, string exe, string[] args)
    {
        if (asPostgres)
        {
            ExternalProcess.Run("runuser", ["-u", "postgres", "--", exe, .. args]);
        }
        else
        {
            ExternalProcess.Run(exe, args);
        }
    }
}
