using ScottPlot;
using SkiaSharp;

namespace Hoomi.Bench;

/// <summary>soak.png: five panels over time (RSS, open descriptors, threads, operations and errors, latency), fault windows shaded.</summary>
public static class SoakChart
{
    public static void Write(string path, double[] t, double[] rss, double[] handles, double[] threads, double[] opsPerSecond,
        double[] errors, double[] errorsOutside, double[] p50, double[] p99, (string Name, double Start, double End)[] faults, double grace)
    {
        const int w = 1400, h = 250;
        var minutes = t.Select(x => x / 60).ToArray();
        Plot[] plots =
        [
            Panel("Server RSS", "MiB", minutes, faults, grace, ("RSS", rss)),
            Panel("Open descriptors (/proc/PID/fd)", "count", minutes, faults, grace, ("descriptors", handles)),
            Panel("Threads", "count", minutes, faults, grace, ("threads", threads)),
            Panel("Operations and errors", "per sample", minutes, faults, grace, ("operations/s", opsPerSecond), ("errors (in fault windows)", errors), ("errors outside fault windows", errorsOutside)),
            Panel("Latency", "ms", minutes, faults, grace, ("p50", p50), ("p99", p99)),
        ];
        plots[^1].XLabel("minutes (shaded: fault windows — red API kill -9, blue PostgreSQL stopped; green line: client cut mid-upload)");
        var info = new SKImageInfo(w, h * plots.Length);
        using var surface = SKSurface.Create(info);
        surface.Canvas.Clear(SKColors.White);
        for (var i = 0; i < plots.Length; i++)
        {
            using var panel = SKSurface.Create(new SKImageInfo(w, h));
            plots[i].Render(panel.Canvas, w, h);
            using var snapshot = panel.Snapshot();
            surface.Canvas.DrawImage(snapshot, 0, i * h);
        }

        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    private static Plot Panel(string title, string unit, double[] x, (string Name, double Start, double End)[] faults, double grace, params (string Name, double[] Y)[] series)
    {
        var plot = new Plot();
        foreach (var f in faults)
        {
            if (f.Name == "client-cut")
            {
                var line = plot.Add.VerticalLine(f.Start / 60);
                line.Color = Colors.Green.WithAlpha(0.6);
                line.LineWidth = 1;
                continue;
            }

            var span = plot.Add.HorizontalSpan(f.Start / 60, (f.End + grace) / 60);
            span.FillStyle.Color = (f.Name == "api-kill-9" ? Colors.Red : Colors.Blue).WithAlpha(0.15);
            span.LineStyle.Width = 0;
        }

        foreach (var (name, y) in series)
        {
            var s = plot.Add.Scatter(x, y);
            s.LegendText = name;
            s.MarkerSize = 0;
            s.LineWidth = 1.5f;
        }

        plot.Title(title);
        plot.YLabel(unit);
        if (series.Length > 1)
        {
            plot.ShowLegend(Alignment.UpperLeft);
        }

        return plot;
    }
}
