using System.Globalization;
using HdrHistogram;

namespace Hoomi.Bench;

/// <summary>Latency percentiles in milliseconds, from an HdrHistogram recorded in microseconds.</summary>
public sealed record Percentiles(long Count, double P50, double P90, double P99, double P999, double Max)
{
    public static Percentiles Of(HistogramBase h) => new(
        h.TotalCount,
        h.GetValueAtPercentile(50) / 1000.0,
        h.GetValueAtPercentile(90) / 1000.0,
        h.GetValueAtPercentile(99) / 1000.0,
        h.GetValueAtPercentile(99.9) / 1000.0,
        h.GetMaxValue() / 1000.0);

    public static LongHistogram NewHistogram() => new(60L * 1000 * 1000, 3);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"p50 {P50:0.00} ms, p99 {P99:0.00} ms, p99.9 {P999:0.00} ms, max {Max:0.00} ms (n={Count})");
}

/// <summary>One large-transfer size: Hoomi's and nginx's figures.</summary>
public sealed record TransferResult(
    long Bytes, string Label, double UpMBps, double DownMBps, double NginxUpMBps, double NginxDownMBps,
    long IdleRss, long PeakRssUp, long PeakRssDown, double AllocPerUpload, double AllocPerDownload);

/// <summary>A fixed-duration closed-loop run of many clients.</summary>
public sealed record LoadResult(string Name, int Clients, double Seconds, long Ok, long Errors, Percentiles Latency, string ErrorSample)
{
    public double PerSecond => Ok / Seconds;
}

public sealed record FanoutResult(
    int Subscribers, int Uploads, double RatePerSecond, long Expected, long Delivered, double ConnectSeconds,
    Percentiles FromResponse, Percentiles FromRequestStart, double ArrivedBeforeResponse, long PeakRss);

/// <summary>The client's whole upload path (encrypt, hash, sign, send) against the API's raw upload of the same ciphertext size, same server.</summary>
public sealed record SdkUploadResult(long PlaintextBytes, long CiphertextBytes, double RawMBps, double SdkMBps, double CliMBps, double CliSeconds);

public sealed record RangeResult(long FileBytes, long Offset, Percentiles Hoomi, Percentiles? Nginx);

/// <summary>Everything one run measured, for the report and the chart.</summary>
public sealed class SuiteResults
{
    public List<TransferResult> Transfers { get; } = [];

    public List<(LoadResult Hoomi, LoadResult? Nginx)> Loads { get; } = [];

    /// <summary>Seconds of upload load on the fresh server before the small-file figures.</summary>
    public double LoadWarmupSeconds { get; set; }

    public List<FanoutResult> Fanouts { get; } = [];

    public RangeResult? Range { get; set; }

    public SdkUploadResult? SdkUpload { get; set; }

    public List<string> Notes { get; } = [];

    public ScaleResults Scale { get; } = new();
}
