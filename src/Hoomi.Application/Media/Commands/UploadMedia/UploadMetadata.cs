using Hoomi.Application.Media.WrappedKeys;

namespace Hoomi.Application.Media.Commands.UploadMedia;

/// <summary>
/// The <c>metadata</c> part of an upload, exactly as on the wire (architecture.md, Wire shapes). Every member
/// is nullable so that a missing or mistyped field is reported as a field error, not as unreadable JSON.
/// </summary>
public sealed record UploadMetadata(
    string? MediaId,
    string? MimeType,
    long? Size,
    string? Sha256,
    int? Width,
    int? Height,
    long? DurationMs,
    string? EncryptedMetadata,
    UploadThumbnail? Thumbnail,
    IReadOnlyList<UploadWrappedKey?>? WrappedKeys,
    string? SenderKeyId = null,
    string? Signature = null,
    bool? TrailingSeal = null);

/// <summary>
/// The last part, <c>seal</c>, of an upload whose metadata says <c>trailingSeal: true</c>: what a client learns only
/// once it has produced the ciphertext (its SHA-256, and the item signature that covers it). It lets a client
/// encrypt and send in one pass over the plaintext.
/// </summary>
public sealed record UploadSeal(string? Sha256, string? Signature);

public sealed record UploadThumbnail(long? Size, string? Sha256);

/// <summary>
/// The parts that follow <c>metadata</c> in the multipart body, read in order as streams (never buffered).
/// The Api implements it over the HTTP request.
/// </summary>
public interface IUploadParts
{
    /// <summary>The <c>file</c> part; a validation error when the next part is missing or named otherwise.</summary>
    Task<Stream> OpenFileAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The optional <c>thumbnail</c> part, or null when none comes (the body ends, or the <c>seal</c> part follows);
    /// a validation error for any other part, and for a <c>seal</c> part unless <paramref name="sealFollows"/>.
    /// </summary>
    Task<Stream?> OpenThumbnailAsync(bool sealFollows, CancellationToken cancellationToken);

    /// <summary>
    /// The final <c>seal</c> part (JSON, small), after which the body must end; a validation error when it is missing,
    /// malformed, or followed by anything.
    /// </summary>
    Task<UploadSeal> ReadSealAsync(CancellationToken cancellationToken);
}
