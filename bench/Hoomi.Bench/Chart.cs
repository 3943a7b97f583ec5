using ScottPlot;
using SkiaSharp;

namespace Hoomi.Bench;

/// <summary>One PNG: latency percentiles (log scale), large-transfer MB/s bars, small-file requests/s bars.</summary>
public static class Chart
{
    private static readonly Color HoomiColor = new(31, 119, 180);
    private static readonly Color NginxColor = new(255, 127, 14);

    public static void Write(SuiteResults r, string path)
    {
        const int w = 620, h = 460;
        Plot[] plots = [Latency(r), Transfers(r), SmallFiles(r)];
        var info = new SKImageInfo(w * plots.Length, h);
        using var surface = SKSurface.Create(info);
        surface.Canvas.Clear(SKColors.White);
        for (var i = 0; i < plots.Length; i++)
        {
            // Each panel on a surface of its own: a plot clears the whole canvas it renders on.
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

    private static Plot Latency(SuiteResults r)
    {
        var plot = new Plot();
        double[] xs = [0, 1, 2, 3];
        var series = new List<(string Name, Percentiles P)>();
        foreach (var (hoomi, nginx) in r.Loads)
        {
            series.Add((hoomi.Name.Replace(" 16 KiB", "", StringComparison.Ordinal), hoomi.Latency));
            if (nginx is not null)
            {
                series.Add((nginx.Name.Replace(" 16 KiB", "", StringComparison.Ordinal), nginx.Latency));
            }
        }

        series.AddRange(r.Fanouts.Select(f => ($"hub, {f.Subscribers} subscribers", f.FromResponse)));
        if (r.Range is { } range)
        {
            series.Add(("Hoomi range TTFB", range.Hoomi));
            if (range.Nginx is { } n)
            {
                series.Add(("nginx range TTFB", n));
            }
        }

        foreach (var (name, p) in series)
        {
            double[] ys = [p.P50, p.P90, p.P99, p.P999];
            var scatter = plot.Add.Scatter(xs, ys.Select(y => Math.Log10(Math.Max(y, 0.01))).ToArray());
            scatter.LegendText = name;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 6;
            if (name.StartsWith("nginx", StringComparison.Ordinal))
            {
                scatter.LinePattern = LinePattern.Dashed;
            }
        }

        plot.Axes.Bottom.SetTicks(xs, ["p50", "p90", "p99", "p99.9"]);
        var ticks = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = y => Math.Pow(10, y).ToString(y < 0 ? "0.##" : "0", System.Globalization.CultureInfo.InvariantCulture),
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
        };
        plot.Axes.Left.TickGenerator = ticks;
        plot.Title("Latency percentiles");
        plot.YLabel("ms (log scale)");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot Transfers(SuiteResults r)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        var ticks = new List<(double, string)>();
        var x = 0.0;
        foreach (var t in r.Transfers)
        {
            bars.Add(new Bar { Position = x, Value = t.UpMBps, FillColor = HoomiColor });
            bars.Add(new Bar { Position = x + 1, Value = Safe(t.NginxUpMBps), FillColor = NginxColor });
            ticks.Add((x + 0.5, $"{t.Label}\nup"));
            bars.Add(new Bar { Position = x + 2.5, Value = t.DownMBps, FillColor = HoomiColor });
            bars.Add(new Bar { Position = x + 3.5, Value = Safe(t.NginxDownMBps), FillColor = NginxColor });
            ticks.Add((x + 3, $"{t.Label}\ndown"));
            x += 5.5;
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks([.. ticks.Select(t => t.Item1)], [.. ticks.Select(t => t.Item2)]);
        plot.Axes.Margins(bottom: 0);
        plot.Title("Large transfer (one client)");
        plot.YLabel("MB/s");
        Legend(plot);
        return plot;
    }

    private static Plot SmallFiles(SuiteResults r)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        var ticks = new List<(double, string)>();
        var x = 0.0;
        foreach (var (hoomi, nginx) in r.Loads)
        {
            bars.Add(new Bar { Position = x, Value = hoomi.PerSecond, FillColor = HoomiColor });
            bars.Add(new Bar { Position = x + 1, Value = nginx?.PerSecond ?? 0, FillColor = NginxColor });
            ticks.Add((x + 0.5, hoomi.Name.Replace("Hoomi ", "", StringComparison.Ordinal)));
            x += 3;
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks([.. ticks.Select(t => t.Item1)], [.. ticks.Select(t => t.Item2)]);
        plot.Axes.Margins(bottom: 0);
        plot.Title($"Small files ({(r.Loads.Count > 0 ? r.Loads[0].Hoomi.Clients : 0)} clients)");
        plot.YLabel("requests/s");
        Legend(plot);
        return plot;
    }

    private static void Legend(Plot plot)
    {
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "Hoomi", FillColor = HoomiColor });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "nginx", FillColor = NginxColor });
        plot.ShowLegend(Alignment.UpperRight);
    }

    private static double Safe(double v) => double.IsNaN(v) ? 0 : v;
}
