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

    /// <summary>
    /// An optional thumbnail (plaintext, e.g. a small JPEG), encrypted with the same file key and purpose <c>thumbnail</c>.
    /// At most <see cref="MaxThumbnailBytes"/>; set this or <see cref="ThumbnailStream"/>, not both.
    /// </summary>
    public ReadOnlyMemory<byte>? Thumbnail { get; init; }

    /// <summary>The thumbnail as a stream (read from its current position to its end, at most <see cref="MaxThumbnailBytes"/>).</summary>
    public Stream? ThumbnailStream { get; init; }

    /// <summary>
    /// Pad the content and thumbnail to their Padmé bucket inside the encryption (hoomi-e2ee-2), so the server sees only
    /// the bucket, not the exact size (at most ~12 % more bytes). On by default.
    /// </summary>
    public bool Pad { get; init; } = true;

    /// <summary>
    /// The largest thumbnail plaintext: the server takes at most 256 KiB of thumbnail <em>ciphertext</em>, which is the
    /// plaintext plus the 72-byte header and 16 bytes per 64 KiB segment, so 256 KiB - 72 - 4 * 16 bytes.
    /// </summary>
    public const int MaxThumbnailBytes = 252 * 1024;
}

/// <summary>A finished download: the media's public record and what its encrypted metadata says (name, type, size).</summary>
public sealed record DownloadResult(Api.MediaInfo Media, Crypto.MediaMetadata? Metadata, Trust.MediaSender Sender);

/// <summary>What <see cref="HoomiClient.ShareKeysForHoomiAsync"/> did.</summary>
public sealed record ShareKeysSummary(int MediaChecked, int MediaUpdated, int KeysAdded, int MediaWithoutOwnKey)
{
    /// <summary>Items whose signature or wrap did not verify, so whose key was passed to no one.</summary>
    public int MediaRefused { get; init; }

    /// <summary>Member devices that failed a check (unsigned, bad signature, changed identity) and got nothing.</summary>
    public int DevicesNotTrusted { get; init; }
}
