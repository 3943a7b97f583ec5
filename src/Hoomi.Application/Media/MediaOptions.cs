namespace Hoomi.Application.Media;

/// <summary>Section <c>Hoomi:Media</c>: what uploads may be.</summary>
public sealed class MediaOptions
{
    public const string Section = "Hoomi:Media";

    /// <summary>Largest ciphertext accepted, in bytes (default 2 GiB).</summary>
    public long MaxSize { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Largest encrypted thumbnail, in bytes (default 256 KiB).</summary>
    public long MaxThumbnailSize { get; set; } = 256 * 1024;

    /// <summary>Largest encrypted metadata blob, in bytes.</summary>
    public int MaxEncryptedMetadataSize { get; set; } = 8 * 1024;

    /// <summary>
    /// Slowest upload body the server keeps reading, in bytes per second averaged over the upload (Kestrel's minimum
    /// request body data rate, set on upload requests only); a slower upload is cut with a 408 and its reservation released.
    /// 0 turns the check off (Kestrel's server-wide default, 240 B/s, then applies).
    /// </summary>
    public int MinUploadBytesPerSecond { get; set; } = 1024;

    /// <summary>How long an upload may take to reach <see cref="MinUploadBytesPerSecond"/> (TLS and TCP slow start, a slow first read).</summary>
    public TimeSpan MinUploadRateGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Longest pause in an upload body: no byte for this long and the upload is cut (408), even if its average rate is
    /// still above the minimum. <see cref="TimeSpan.Zero"/> turns it off.
    /// </summary>
    public TimeSpan UploadIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Declared MIME types accepted; an entry ending in <c>/*</c> allows a whole top-level type, <c>*/*</c> any type.
    /// Unset (the default), any type is accepted: the type is the client's claim about ciphertext the server cannot read,
    /// and people share files of every kind (an <c>.apk</c>, an <c>.iso</c>, a file without extension). A configured list
    /// replaces the default entirely (it is never merged with it); <see cref="CommonTypes"/> is a ready-made one.
    /// </summary>
    public List<string>? AllowedMimeTypes { get; set; }

    /// <summary>A restrictive list an operator may configure: images, video, audio, text, PDF, office documents, archives, and unknown binary files.</summary>
    public static IReadOnlyList<string> CommonTypes { get; } =
    [
        "image/*", "video/*", "audio/*", "text/*",
        "application/pdf", "application/json", "application/xml", "application/octet-stream",
        "application/msword", "application/rtf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
        "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/zip", "application/gzip", "application/x-7z-compressed", "application/x-tar",
        "application/x-bzip2", "application/x-xz", "application/vnd.rar", "application/zstd",
    ];

    /// <summary>The list in force: the configured one, or any type.</summary>
    public IReadOnlyList<string> EffectiveAllowedMimeTypes => AllowedMimeTypes is { Count: > 0 } list ? list : ["*/*"];

    public bool IsAllowed(string? mimeType)
    {
        if (string.IsNullOrWhiteSpace(mimeType))
        {
            return false;
        }

        var type = mimeType.Split(';', 2)[0].Trim();
        // A declared type is one concrete type: "image/*" names a family, not a file.
        if (type.Contains('*', StringComparison.Ordinal) || type.IndexOf('/', StringComparison.Ordinal) is <= 0 || type.EndsWith('/'))
        {
            return false;
        }

        foreach (var allowed in EffectiveAllowedMimeTypes)
        {
            if (allowed == "*/*")
            {
                return true;
            }

            if (allowed.EndsWith("/*", StringComparison.Ordinal)
                ? type.StartsWith(allowed[..^1], StringComparison.OrdinalIgnoreCase) && type.Length > allowed.Length - 1
                : string.Equals(type, allowed, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
