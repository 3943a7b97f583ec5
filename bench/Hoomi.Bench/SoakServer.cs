using System.Diagnostics;
using System.Globalization;

namespace Hoomi.Bench;

/// <summary>
/// The API for the soak: its own process on a fixed loopback port, blob root and data-protection key ring, so that
/// after a <c>kill -9</c> it comes back at the same address, with the same files, and the clients' tokens still valid.
/// </summary>
public sealed class SoakServer : IDisposable
{
    private readonly string _dll;
    private readonly int _port;
    private readonly Dictionary<string, string> _environment;
    private Process? _process;

    public SoakServer(string apiDll, string dataDir, string postgresConnectionString, int port)
    {
        _dll = apiDll;
        _port = port;
        DataDir = dataDir;
        _environment = new Dictionary<string, string>
        {
            ["Hoomi__Database__Provider"] = "Postgres",
            ["Hoomi__Database__ConnectionString"] = postgresConnectionString,
            ["Hoomi__Storage__Provider"] = "FileSystem",
            ["Hoomi__Storage__FileSystem__Root"] = Path.Combine(dataDir, "blobs"),
            ["Hoomi__DataProtection__KeysDirectory"] = Path.Combine(dataDir, "keys"),
            ["Hoomi__Auth__AccessTokenLifetime"] = "04:00:00",
            ["Hoomi__RateLimits__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.AspNetCore.Server.Kestrel"] = "Error",
        };
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }

    public string DataDir { get; }

    /// <summary>The process id, or 0 while the server is down.</summary>
    public int ProcessId
    {
        get
        {
            var p = _process;
            try
            {
                return p is { HasExited: false } ? p.Id : 0;
            }
            catch (InvalidOperationException)
            {
                return 0;
            }
        }
    }

    public int Starts { get; private set; }

    public void Start()
    {
        var psi = new ProcessStartInfo("dotnet", [_dll, "--urls", BaseAddress.ToString()])
        {
            WorkingDirectory = DataDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in _environment)
        {
            psi.Environment[key] = value;
        }

        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[api] " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Starts++;
        WaitReady();
    }

    /// <summary>SIGKILL, as a crash: no shutdown hooks run.</summary>
    public void KillHard()
    {
        var p = _process;
        if (p is { HasExited: false })
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }

        p?.Dispose();
        _process = null;
    }

    /// <summary><c>Hoomi.Api admin verify</c> against the same database and blob root: its exit code and output.</summary>
    public (int ExitCode, string Output) Verify()
    {
        var psi = new ProcessStartInfo("dotnet", [_dll, "admin", "verify"])
        {
            WorkingDirectory = DataDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in _environment)
        {
            psi.Environment[key] = value;
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            return (-1, "admin verify timed out");
        }

        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>RSS bytes, open file descriptors and threads of the running server (NaN while it is down).</summary>
    public (double Rss, double Handles, double Threads) Sample()
    {
        var pid = ProcessId;
        if (pid == 0)
        {
            return (double.NaN, double.NaN, double.NaN);
        }

        try
        {
            double rss = double.NaN, threads = double.NaN;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024.0;
                }
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    threads = int.Parse(line[8..].Trim(), CultureInfo.InvariantCulture);
                }
            }

            var handles = Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
            return (rss, handles, threads);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (double.NaN, double.NaN, double.NaN);
        }
    }

    private void WaitReady()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (http.GetAsync("/health/ready").GetAwaiter().GetResult().IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            Thread.Sleep(200);
        }

        throw new TimeoutException("the API did not become ready on port " + _port);
    }

    public void Dispose() => KillHard();
}
