namespace Hoomi.Client;

/// <summary>What an upload declares. <see cref="Name"/> travels only inside the encrypted metadata.</summary>
public sealed record UploadOptions(string Name, string MimeType)
{
    public int? Width { get; init; }

    public int? Height { get; init; }

    public long? DurationMs { get; init; }

    /// <summary>Brotli before encryption; null follows <see cref="Crypto.CompressionPolicy"/> (text-like types only).</summary>
    public bool? Compress { get; init; }

    /// <summary>The media id (a UUIDv7); null picks a fresh one. Reusing an id makes a retried upload idempotent.</summary>
    public Guid? MediaId { get; init; }
}

/// <summary>A finished download: the media's public record and what its encrypted metadata says (name, type, size).</summary>
public sealed record DownloadResult(Api.MediaInfo Media, Crypto.MediaMetadata? Metadata);

/// <summary>What <see cref="HoomiClient.ShareKeysForHoomiAsync"/> did.</summary>
public sealed record ShareKeysSummary(int MediaChecked, int MediaUpdated, int KeysAdded, int MediaWithoutOwnKey);
