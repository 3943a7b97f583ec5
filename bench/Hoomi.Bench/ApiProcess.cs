using System.Diagnostics;
using System.Globalization;
using Hoomi.Testing;

namespace Hoomi.Bench;

/// <summary>The API as its own process (Release build), on a free loopback port, with its RSS sampled.</summary>
public sealed class ApiProcess : IDisposable
{
    private readonly Process _process;
    private readonly Timer _sampler;
    private long _peak;
    private System.Collections.Concurrent.ConcurrentQueue<string>? _output;

    private ApiProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        _sampler = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(20));
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    public static ApiProcess Start(string repoRoot, string dataDir, string postgresConnectionString, IReadOnlyDictionary<string, string>? environment = null, bool captureOutput = false)
    {
        var dll = Path.Combine(repoRoot, "src/Hoomi.Api/bin/Release/net10.0/Hoomi.Api.dll");
        if (!File.Exists(dll))
        {
            ExternalProcess.Run("dotnet", ["build", "-c", "Release", Path.Combine(repoRoot, "src/Hoomi.Api")], timeout: TimeSpan.FromMinutes(5));
        }

        var port = ExternalProcess.FreeTcpPort();
        var psi = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = dataDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["Hoomi__Database__Provider"] = "Postgres";
        psi.Environment["Hoomi__Database__ConnectionString"] = postgresConnectionString;
        psi.Environment["Hoomi__Storage__FileSystem__Root"] = Path.Combine(dataDir, "blobs-" + port);
        psi.Environment["Hoomi__RateLimits__Enabled"] = "false";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        var process = Process.Start(psi)!;
        var output = captureOutput ? new System.Collections.Concurrent.ConcurrentQueue<string>() : null;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output?.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[api] " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}")) { _output = output };
        api.WaitReady();
        return api;
    }

    /// <summary>The standard output lines since the last call (with captureOutput), and forgets them.</summary>
    public List<string> TakeOutput()
    {
        var lines = new List<string>();
        while (_output is not null && _output.TryDequeue(out var line))
        {
            lines.Add(line);
        }

        return lines;
    }

    public long RssBytes() => ReadStatus("VmRSS:");

    public void ResetPeak() => Interlocked.Exchange(ref _peak, RssBytes());

    public long PeakRssBytes()
    {
        Sample();
        return Interlocked.Read(ref _peak);
    }

    private void Sample()
    {
        try
        {
            var rss = RssBytes();
            long seen;
            while (rss > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, rss, seen) != seen)
            {
            }
        }
        catch (IOException)
        {
        }
    }

    private long ReadStatus(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private void WaitReady()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (http.GetAsync("/health/ready").GetAwaiter().GetResult().IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            Thread.Sleep(200);
        }

        throw new TimeoutException("the API did not become ready");
    }

    public void Dispose()
    {
        _sampler.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
