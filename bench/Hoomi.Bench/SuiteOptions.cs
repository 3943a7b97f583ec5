using System.Diagnostics;
using System.Globalization;

namespace Hoomi.Bench;

/// <summary>
/// suite [--quick] [--out DIR] [--nginx URL] [--disk TEXT] [--only transfer,range,crypto,sdk,small,fanout,scale,scale-clients,scale-size,scale-hub] [--trace DIR PHASE,...]
/// </summary>
public sealed class SuiteOptions
{
    public bool Quick { get; private set; }

    public string Out { get; private set; } = "bench/results";

    public Uri? Nginx { get; private set; }

    public string Disk { get; private set; } = "not measured";

    public string DataRoot { get; private set; } = Path.GetTempPath();

    public HashSet<string> Only { get; } = [];

    public string? TraceDir { get; private set; }

    public HashSet<string> TracePhases { get; } = [];

    public long[] TransferSizesMiB { get; private set; } = [1, 100, 1024];

    public long TransferBytesPerSize { get; private set; } = 200L * 1024 * 1024;

    public int Clients { get; private set; } = 32;

    public double LoadSeconds { get; private set; } = 30;

    /// <summary>
    /// Load before the small-file figures: the server is fresh, and tiered compilation keeps recompiling the thousands of
    /// methods under EF Core, Npgsql and ASP.NET Core for 10–15 s on two cores (bench/README.md, JIT warm-up), which a
    /// long-running server has long finished.
    /// </summary>
    public double WarmupSeconds { get; private set; } = 15;

    public int[] Subscribers { get; private set; } = [100, 1000];

    public double FanoutRate { get; private set; } = 10;

    public double FanoutSeconds { get; private set; } = 20;

    public bool Runs(string scenario) => Only.Count == 0 || Only.Contains(scenario);

    public static SuiteOptions Parse(string[] args)
    {
        var o = new SuiteOptions();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    o.Quick = true;
                    o.TransferBytesPerSize = 20L * 1024 * 1024;
                    o.LoadSeconds = 4;
                    o.WarmupSeconds = 2;
                    o.FanoutSeconds = 3;
                    break;
                case "--out":
                    o.Out = args[++i];
                    break;
                case "--nginx":
                    o.Nginx = new Uri(args[++i]);
                    break;
                case "--disk":
                    o.Disk = args[++i];
                    break;
                case "--data":
                    o.DataRoot = args[++i];
                    break;
                case "--only":
                    o.Only.UnionWith(args[++i].Split(','));
                    break;
                case "--seconds":
                    o.LoadSeconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--warmup":
                    o.WarmupSeconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--clients":
                    o.Clients = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--sizes":
                    o.TransferSizesMiB = [.. args[++i].Split(',').Select(long.Parse)];
                    break;
                case "--trace":
                    o.TraceDir = args[++i];
                    o.TracePhases.UnionWith(args[++i].Split(','));
                    break;
                default:
                    throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        return o;
    }
}

/// <summary>Runs dotnet-trace against the server for the length of one phase, when asked to (--trace).</summary>
public static class Tracer
{
    public static Process? Start(SuiteOptions o, ApiProcess server, string phase)
    {
        if (o.TraceDir is null || !o.TracePhases.Contains(phase))
        {
            return null;
        }

        Directory.CreateDirectory(o.TraceDir);
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet/tools/dotnet-trace");
        var psi = new ProcessStartInfo(File.Exists(tool) ? tool : "dotnet-trace",
            ["collect", "-p", server.ProcessId.ToString(CultureInfo.InvariantCulture), "--profile", "dotnet-common,dotnet-sampled-thread-time", "-o", Path.Combine(o.TraceDir, phase + ".nettrace")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        var process = Process.Start(psi)!;
        process.BeginOutputReadLine();
        Thread.Sleep(1500); // the session needs a moment before events flow
        Console.WriteLine($"  tracing {phase} (pid {server.ProcessId})");
        return process;
    }

    public static async Task StopAsync(Process? trace)
    {
        if (trace is null)
        {
            return;
        }

        // dotnet-trace stops on Ctrl+C (SIGINT) and then closes the file.
        using (var kill = Process.Start("kill", ["-INT", trace.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await trace.WaitForExitAsync();
        trace.Dispose();
    }
}
