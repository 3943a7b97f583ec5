using System.Text;

namespace Hoomi.Bench;

/// <summary>Section 5 of report.md: the scale scenario (issue 13, target 6).</summary>
public static class ScaleReport
{
    public static void Append(StringBuilder s, SuiteResults r)
    {
        void L(string line = "") => s.Append(line).Append('\n');
        var c = r.Scale;
        if (c.Clients.Count == 0 && c.Sizes.Count == 0)
        {
            return;
        }

        L("## 5. Cost as the work grows (scenario `scale`)");
        L();
        if (c.Clients.Count > 0)
        {
            L($"### 5a. 16 KiB uploads and downloads by number of clients (closed loop, {c.Clients[0].Up.Seconds:0} s per point, one fresh server, after a warm-up)");
            L();
            L("| clients | Hoomi uploads/s | p50 | p99 | nginx PUT/s | p99 | ratio | Hoomi downloads/s | p50 | p99 | nginx GET/s | p99 | ratio | errors |");
            L("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var x in c.Clients)
            {
                L($"| {x.Clients} | {x.Up.PerSecond:0} | {x.Up.Latency.P50:0.00} ms | {x.Up.Latency.P99:0.00} ms | {Rate(x.NginxUp)} | {P99(x.NginxUp)} | {Ratio(x.Up, x.NginxUp)} "
                  + $"| {x.Down.PerSecond:0} | {x.Down.Latency.P50:0.00} ms | {x.Down.Latency.P99:0.00} ms | {Rate(x.NginxDown)} | {P99(x.NginxDown)} | {Ratio(x.Down, x.NginxDown)} "
                  + $"| {x.Up.Errors + x.Down.Errors} |");
            }

            L();
            L("![requests/s and p99 by clients](scale-clients.png)");
            L();
        }

        if (c.Sizes.Count > 0)
        {
            var sizes = c.Sizes.Select(x => x.Items).Distinct().Order().ToList();
            L($"### 5b. Latency in a hoomi of {string.Join(" and then ", sizes.Select(n => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} media items (one client, sequential, p50 / p99)");
            L();
            L("Rows seeded in SQL from a real upload (bench/README.md, Scale); plans of the SQL EF Core sent: "
              + string.Join(", ", c.PlanFiles.Select(f => $"[{f}]({f})")) + ".");
            L();
            L("| operation | " + string.Join(" | ", sizes.Select(n => $"{n:N0} items")) + " | ratio largest/smallest (p50) |");
            L("|---|" + string.Concat(sizes.Select(_ => "--:|")) + "--:|");
            foreach (var op in c.Sizes.Select(x => x.Operation).Distinct())
            {
                var cells = sizes.Select(n => c.Sizes.FirstOrDefault(x => x.Items == n && x.Operation == op)).ToList();
                var first = cells[0]?.Latency.P50 ?? double.NaN;
                var last = cells[^1]?.Latency.P50 ?? double.NaN;
                L($"| {op} | " + string.Join(" | ", cells.Select(x => x is null ? "" : $"{x.Latency.P50:0.00} / {x.Latency.P99:0.00} ms")) + $" | {last / first:0.00}× |");
            }

            L();
            L("![latency by hoomi size](scale-size.png)");
            L();
        }

        if (r.Fanouts.Count > 0)
        {
            L("Hub delivery by subscribers: section 3's table (rows 1,000 and 5,000).");
            L();
            L("![hub delivery by subscribers](scale-hub.png)");
            L();
        }
    }

    private static string Rate(LoadResult? l) => l is null ? "n/a" : l.PerSecond.ToString("0", System.Globalization.CultureInfo.InvariantCulture);

    private static string P99(LoadResult? l) => l is null ? "n/a" : l.Latency.P99.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + " ms";

    private static string Ratio(LoadResult a, LoadResult? b) => b is null || b.PerSecond == 0 ? "n/a" : (a.PerSecond / b.PerSecond).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + "×";
}
