using ScottPlot;
using SkiaSharp;

namespace Hoomi.Bench;

/// <summary>
/// The scale scenario's charts: scale-clients.png (requests/s and p99 against the number of clients, Hoomi and nginx),
/// scale-size.png (latency at 1,000 and 100,000 items) and scale-hub.png (hub delivery against subscribers).
/// </summary>
public static class ScaleChart
{
    private static readonly Color HoomiColor = new(31, 119, 180);
    private static readonly Color NginxColor = new(255, 127, 14);
    private static readonly Color[] SizeColors = [new(44, 160, 44), new(214, 39, 40), new(148, 103, 189)];

    public static void Write(SuiteResults r, string outDir)
    {
        var s = r.Scale;
        if (s.Clients.Count > 0)
        {
            Save(Path.Combine(outDir, "scale-clients.png"), [Rates(s, up: true), Rates(s, up: false), P99(s)]);
        }

        if (s.Sizes.Count > 0)
        {
            Save(Path.Combine(outDir, "scale-size.png"), [Sizes(s, p99: false), Sizes(s, p99: true)]);
        }

        if (r.Fanouts.Count > 0)
        {
            Save(Path.Combine(outDir, "scale-hub.png"), [Hub(r)]);
        }
    }

    private static void Save(string path, Plot[] plots)
    {
        const int w = 620, h = 460;
        using var surface = SKSurface.Create(new SKImageInfo(w * plots.Length, h));
        surface.Canvas.Clear(SKColors.White);
        for (var i = 0; i < plots.Length; i++)
        {
            using var panel = SKSurface.Create(new SKImageInfo(w, h));
            plots[i].Render(panel.Canvas, w, h);
            using var snapshot = panel.Snapshot();
            surface.Canvas.DrawImage(snapshot, i * w, 0);
        }

        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    private static double[] Xs(ScaleResults s) => [.. s.Clients.Select(c => Math.Log2(c.Clients))];

    private static void ClientTicks(Plot plot, ScaleResults s)
    {
        plot.Axes.Bottom.SetTicks(Xs(s), [.. s.Clients.Select(c => c.Clients.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        plot.XLabel("concurrent clients (log scale)");
    }

    private static void Series(Plot plot, double[] xs, double[] ys, string name, Color color, bool dashed)
    {
        var scatter = plot.Add.Scatter(xs, ys);
        scatter.LegendText = name;
        scatter.Color = color;
        scatter.LineWidth = 2;
        scatter.MarkerSize = 7;
        if (dashed)
        {
            scatter.LinePattern = LinePattern.Dashed;
        }
    }

    private static Plot Rates(ScaleResults s, bool up)
    {
        var plot = new Plot();
        var xs = Xs(s);
        static double Log(double v) => Math.Log10(Math.Max(v, 0.1));
        Series(plot, xs, [.. s.Clients.Select(c => Log((up ? c.Up : c.Down).PerSecond))], up ? "Hoomi upload" : "Hoomi download", HoomiColor, false);
        if (s.Clients.All(c => (up ? c.NginxUp : c.NginxDown) is not null))
        {
            Series(plot, xs, [.. s.Clients.Select(c => Log((up ? c.NginxUp : c.NginxDown)!.PerSecond))], up ? "nginx PUT" : "nginx GET", NginxColor, true);
        }

        ClientTicks(plot, s);
        LogTicks(plot);
        plot.Title(up ? "16 KiB uploads/s" : "16 KiB downloads/s");
        plot.YLabel("requests/s (log scale)");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot P99(ScaleResults s)
    {
        var plot = new Plot();
        var xs = Xs(s);
        static double Log(double ms) => Math.Log10(Math.Max(ms, 0.01));
        Series(plot, xs, [.. s.Clients.Select(c => Log(c.Up.Latency.P99))], "Hoomi upload", HoomiColor, false);
        Series(plot, xs, [.. s.Clients.Select(c => Log(c.Down.Latency.P99))], "Hoomi download", SizeColors[0], false);
        if (s.Clients.All(c => c.NginxUp is not null && c.NginxDown is not null))
        {
            Series(plot, xs, [.. s.Clients.Select(c => Log(c.NginxUp!.Latency.P99))], "nginx PUT", NginxColor, true);
            Series(plot, xs, [.. s.Clients.Select(c => Log(c.NginxDown!.Latency.P99))], "nginx GET", SizeColors[1], true);
        }

        ClientTicks(plot, s);
        LogTicks(plot);
        plot.Title("p99 latency, 16 KiB");
        plot.YLabel("ms (log scale)");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static void LogTicks(Plot plot) =>
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = y => Math.Pow(10, y).ToString(y < 0 ? "0.##" : "0", System.Globalization.CultureInfo.InvariantCulture),
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
        };

    private static Plot Sizes(ScaleResults s, bool p99)
    {
        var plot = new Plot();
        var operations = s.Sizes.Select(x => x.Operation).Distinct().ToList();
        var sizes = s.Sizes.Select(x => x.Items).Distinct().Order().ToList();
        var bars = new List<Bar>();
        var ticks = new List<(double, string)>();
        for (var o = 0; o < operations.Count; o++)
        {
            var x0 = o * (sizes.Count + 1.5);
            for (var k = 0; k < sizes.Count; k++)
            {
                var row = s.Sizes.FirstOrDefault(x => x.Operation == operations[o] && x.Items == sizes[k]);
                if (row is not null)
                {
                    bars.Add(new Bar
                    {
                        Position = x0 + k,
                        Value = p99 ? row.Latency.P99 : row.Latency.P50,
                        FillColor = SizeColors[k % SizeColors.Length],
                    });
                }
            }

            ticks.Add((x0 + ((sizes.Count - 1) / 2.0), operations[o].Replace(", ", "\n", StringComparison.Ordinal)));
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks([.. ticks.Select(t => t.Item1)], [.. ticks.Select(t => t.Item2)]);
        plot.Axes.Margins(bottom: 0);
        plot.Title($"{(p99 ? "p99" : "p50")} latency as the hoomi grows (one client)");
        plot.YLabel("ms");
        for (var k = 0; k < sizes.Count; k++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{sizes[k]:N0} items", FillColor = SizeColors[k % SizeColors.Length] });
        }

        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static Plot Hub(SuiteResults r)
    {
        var plot = new Plot();
        var f = r.Fanouts.OrderBy(x => x.Subscribers).ToList();
        double[] xs = [.. f.Select(x => Math.Log10(x.Subscribers))];
        static double Log(double ms) => Math.Log10(Math.Max(ms, 0.01));
        Series(plot, xs, [.. f.Select(x => Log(x.FromResponse.P50))], "p50 after the upload response", HoomiColor, true);
        Series(plot, xs, [.. f.Select(x => Log(x.FromResponse.P99))], "p99 after the upload response", HoomiColor, false);
        Series(plot, xs, [.. f.Select(x => Log(x.FromRequestStart.P99))], "p99 after the upload request's start", NginxColor, false);
        plot.Axes.Bottom.SetTicks(xs, [.. f.Select(x => x.Subscribers.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))]);
        plot.XLabel("subscribers (log scale)");
        LogTicks(plot);
        plot.Title("Hub delivery (MediaUploaded, 10 uploads/s)");
        plot.YLabel("ms (log scale)");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }
}
