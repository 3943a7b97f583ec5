using System.Diagnostics.Metrics;
using Hoomi.Application.Common.Exceptions;

namespace Hoomi.Application.Media;

/// <summary>Upload and download counters (meter <c>Hoomi.Media</c>), tagged by outcome.</summary>
public static class MediaTelemetry
{
    public const string MeterName = "Hoomi.Media";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> Uploads = Meter.CreateCounter<long>("hoomi.media.uploads", "{upload}", "Upload requests by outcome.");

    public static readonly Counter<long> UploadedBytes = Meter.CreateCounter<long>("hoomi.media.uploaded_bytes", "By", "Ciphertext bytes stored by accepted uploads.");

    public static readonly Counter<long> Downloads = Meter.CreateCounter<long>("hoomi.media.downloads", "{download}", "Downloads by part and status.");

    public static readonly Counter<long> DownloadedBytes = Meter.CreateCounter<long>("hoomi.media.downloaded_bytes", "By", "Ciphertext bytes sent by downloads.");

    /// <summary>The outcome tag of a failed upload: refused (the client's fault), interrupted, or failed (ours).</summary>
    public static string OutcomeOf(Exception exception) => exception switch
    {
        ValidationException or ConflictException or UnprocessableContentException or NotFoundException or ForbiddenException
            or QuotaExceededException
            or Domain.Common.DomainException => "refused",
        UploadInterruptedException or UploadTooSlowException or OperationCanceledException => "interrupted",
        _ => "failed",
    };
}
