using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Hoomi.Bench;

/// <summary>The Markdown report of one run.</summary>
public static class Report
{
    public static string Markdown(SuiteResults r, SuiteOptions o, TimeSpan elapsed)
    {
        var s = new StringBuilder();
        void L(string line = "") => s.Append(line).Append('\n');
        L($"# Hoomi benchmark report{(o.Quick ? " (--quick)" : "")}");
        L();
        L($"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {elapsed.TotalMinutes:0.0} min. Machine: {Machine()}; .NET {Environment.Version}.");
        L($"Disk (`dd bs=1M conv=fdatasync` of 1 GiB, 256 MiB with --quick / read back): {o.Disk}.");
        L("Server: the API in Release as its own process on loopback, PostgreSQL (local, `fsync=off`), filesystem store under /tmp, rate limits off, one fresh server per scenario. "
          + "Client: one process on the same machine (HttpClient, HdrHistogram). nginx: Debian's, `sendfile on`, WebDAV `PUT`, same disk, same client.");
        L("The machine is a shared 2-core VM: the client, the server, PostgreSQL and nginx compete for the same cores, and other people's test runs add noise.");
        L();

        L("## Targets");
        L();
        L("| target | measured | met |");
        L("|---|---|---|");
        var gib = r.Transfers.LastOrDefault(t => t.Bytes >= 1L << 30);
        if (gib is not null)
        {
            L($"| 1 GiB upload ≥ 0.9× nginx | {Ratio(gib.UpMBps, gib.NginxUpMBps)} ({gib.UpMBps:0} vs {gib.NginxUpMBps:0} MB/s) | {Met(gib.UpMBps / gib.NginxUpMBps >= 0.9)} |");
            L($"| 1 GiB download ≥ 0.9× nginx | {Ratio(gib.DownMBps, gib.NginxDownMBps)} ({gib.DownMBps:0} vs {gib.NginxDownMBps:0} MB/s) | {Met(gib.DownMBps / gib.NginxDownMBps >= 0.9)} |");
        }

        var small = r.Transfers.FirstOrDefault();
        if (gib is not null && small is not null && small != gib)
        {
            var d = (Math.Max(gib.PeakRssUp, gib.PeakRssDown) - Math.Max(small.PeakRssUp, small.PeakRssDown)) / 1e6;
            L($"| peak RSS for 1 GiB within 30 MB of 1 MiB | {d:+0.0;-0.0} MB ({Mb(Math.Max(gib.PeakRssUp, gib.PeakRssDown))} vs {Mb(Math.Max(small.PeakRssUp, small.PeakRssDown))}) | {Met(d <= 30)} |");
        }

        if (r.SdkUpload is { } sdkUp)
        {
            L($"| `hoomi upload` of {sdkUp.PlaintextBytes >> 20} MiB ≥ 0.8× the API's raw upload | {Ratio(sdkUp.CliMBps, sdkUp.RawMBps)} ({sdkUp.CliMBps:0} vs {sdkUp.RawMBps:0} MB/s; SDK in process {Ratio(sdkUp.SdkMBps, sdkUp.RawMBps)}) | {Met(sdkUp.CliMBps / sdkUp.RawMBps >= 0.8)} |");
        }

        var up = r.Loads.Select(l => l.Hoomi).FirstOrDefault(l => l.Name.Contains("upload", StringComparison.Ordinal));
        if (up is not null)
        {
            L($"| 3,000 16 KiB uploads/s, p99 < 30 ms | {up.PerSecond:0}/s, p99 {up.Latency.P99:0.0} ms | {Met(up.PerSecond >= 3000 && up.Latency.P99 < 30)} |");
        }

        var thousand = r.Fanouts.FirstOrDefault(f => f.Subscribers >= 1000);
        if (thousand is not null)
        {
            L($"| hub delivery p99 < 100 ms, 1,000 subscribers | p99 {thousand.FromResponse.P99:0.0} ms ({thousand.Delivered}/{thousand.Expected} delivered) | {Met(thousand.FromResponse.P99 < 100 && thousand.Delivered == thousand.Expected)} |");
        }

        L();
        if (r.Transfers.Count > 0)
        {
            L("## 1. Large transfer (one client, sequential; MB = 10^6 bytes)");
            L();
            L("| size | Hoomi upload | nginx PUT | ratio | Hoomi download | nginx GET | ratio | server RSS idle | peak RSS upload | peak RSS download | allocated / upload | allocated / download |");
            L("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var t in r.Transfers)
            {
                L($"| {t.Label} | {t.UpMBps:0.0} MB/s | {t.NginxUpMBps:0.0} MB/s | {Ratio(t.UpMBps, t.NginxUpMBps)} | {t.DownMBps:0.0} MB/s | {t.NginxDownMBps:0.0} MB/s | {Ratio(t.DownMBps, t.NginxDownMBps)} | {Mb(t.IdleRss)} | {Mb(t.PeakRssUp)} | {Mb(t.PeakRssDown)} | {Bytes(t.AllocPerUpload)} | {Bytes(t.AllocPerDownload)} |");
            }

            L();
        }

        if (r.Loads.Count > 0)
        {
            L($"## 2. Many small files (16 KiB, {r.Loads[0].Hoomi.Clients} concurrent clients, closed loop, {r.Loads[0].Hoomi.Seconds:0} s each, after {r.LoadWarmupSeconds:0} s of uploads to warm up the fresh server)");
            L();
            L("| operation | server | requests/s | p50 | p90 | p99 | p99.9 | max | errors |");
            L("|---|---|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var (hoomi, nginx) in r.Loads)
            {
                L(LoadRow(hoomi, "Hoomi"));
                if (nginx is not null)
                {
                    L(LoadRow(nginx, "nginx"));
                    L($"| | ratio Hoomi/nginx | {Ratio(hoomi.PerSecond, nginx.PerSecond)} | | | | | | |");
                }
            }

            foreach (var (hoomi, _) in r.Loads.Where(l => l.Hoomi.Errors > 0))
            {
                L($"\n{hoomi.Name}: an error was `{hoomi.ErrorSample}`");
            }

            L();
        }

        if (r.Fanouts.Count > 0)
        {
            L("## 3. Hub fan-out (SignalR WebSockets, one hoomi, MediaUploaded per 16 KiB upload at a steady rate)");
            L();
            L("Latency of each delivery: from the upload's 201 response reaching the uploader to the event reaching a subscriber (0 when the event came first), and from the upload request's start.");
            L();
            L("| subscribers | uploads | delivered | p50 after response | p99 after response | max | p50 after request start | p99 after request start | events before the response | server peak RSS | connect all |");
            L("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var f in r.Fanouts)
            {
                L($"| {f.Subscribers:N0} | {f.Uploads} at {f.RatePerSecond:0}/s | {f.Delivered:N0}/{f.Expected:N0} | {f.FromResponse.P50:0.0} ms | {f.FromResponse.P99:0.0} ms | {f.FromResponse.Max:0.0} ms | {f.FromRequestStart.P50:0.0} ms | {f.FromRequestStart.P99:0.0} ms | {f.ArrivedBeforeResponse:P0} | {Mb(f.PeakRss)} | {f.ConnectSeconds:0.0} s |");
            }

            L();
        }

        if (r.Range is { } range)
        {
            L($"## 4. Range reads (time to first byte of a 64 KiB `Range` request {range.Offset / 1048576} MiB into a {range.FileBytes / 1048576.0:0} MiB file, page cache warm)");
            L();
            L("| server | p50 | p99 | max | n |");
            L("|---|--:|--:|--:|--:|");
            L($"| Hoomi | {range.Hoomi.P50:0.00} ms | {range.Hoomi.P99:0.00} ms | {range.Hoomi.Max:0.00} ms | {range.Hoomi.Count} |");
            if (range.Nginx is { } n)
            {
                L($"| nginx | {n.P50:0.00} ms | {n.P99:0.00} ms | {n.Max:0.00} ms | {n.Count} |");
                L($"| ratio (nginx/Hoomi, higher is better for Hoomi) | {Ratio(n.P50, range.Hoomi.P50)} | {Ratio(n.P99, range.Hoomi.P99)} | | |");
            }

            L();
        }

        ScaleReport.Append(s, r);
        foreach (var note in r.Notes)
        {
            L("- " + note);
        }

        L("![chart](chart.png)");
        return s.ToString();
    }

    private static string LoadRow(LoadResult l, string server) =>
        $"| {l.Name.Replace("Hoomi ", "", StringComparison.Ordinal).Replace("nginx ", "", StringComparison.Ordinal)} | {server} | {l.PerSecond:0} | {l.Latency.P50:0.00} ms | {l.Latency.P90:0.00} ms | {l.Latency.P99:0.00} ms | {l.Latency.P999:0.00} ms | {l.Latency.Max:0.0} ms | {l.Errors} |";

    private static string Ratio(double a, double b) => double.IsNaN(b) || b == 0 ? "n/a" : (a / b).ToString("0.00", CultureInfo.InvariantCulture) + "×";

    private static string Met(bool ok) => ok ? "yes" : "**no**";

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    private static string Bytes(double bytes) => bytes < 0 ? "n/a" : bytes >= 1048576 ? $"{bytes / 1048576.0:0.0} MiB" : $"{bytes / 1024.0:0} KiB";

    public static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
        var mem = File.Exists("/proc/meminfo")
            ? long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1048576.0
            : 0;
        return $"{cpu}, {Environment.ProcessorCount} cores (nproc), {mem:0} GiB RAM, {RuntimeInformation.OSDescription}";
    }
}
