using Hoomi.Application.Keys;
using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;
using Hoomi.Domain.Media;

namespace Hoomi.Application.Media;

/// <summary>
/// The media wire shape (architecture.md): public metadata, what a reader needs to check who sent it
/// (hoomi-e2ee-2: the stored content <see cref="Header"/>, the sender's signature and device, the wraps that
/// came with the upload), plus the caller's own wrapped keys.
/// </summary>
public sealed record MediaDto(
    Guid Id,
    Guid HoomiId,
    Guid UploaderId,
    string MimeType,
    long Size,
    string Sha256,
    int? Width,
    int? Height,
    long? DurationMs,
    string? EncryptedMetadata,
    bool HasThumbnail,
    long? ThumbnailSize,
    string? ThumbnailSha256,
    string? Header,
    string? SenderKeyId,
    string? Signature,
    SignerDeviceDto? SenderDevice,
    DateTimeOffset CreatedAt,
    IReadOnlyList<UploadWrapDto> UploadWraps,
    IReadOnlyList<WrappedKeyDto> WrappedKeys);

/// <summary>
/// One of the caller's wrapped keys. A wrap shared after the upload names its signer's device key, its
/// signature and that device (null for a wrap that came with the upload or forward).
/// </summary>
public sealed record WrappedKeyDto(
    string RecipientKeyId, string Enc, string WrappedKey, string? SignerKeyId, string? Signature, SignerDeviceDto? SignerDevice);

/// <summary>A wrap that came with the upload or forward itself: what the item signature's wraps digest covers.</summary>
public sealed record UploadWrapDto(string RecipientKeyId, string Enc, string WrappedKey);

/// <summary>
/// Maps media items by hand: the DTO joins the item with its wraps and signer devices, which no single
/// source object holds (a generated mapper cannot fill constructor parameters without a source).
/// </summary>
public static class MediaMapper
{
    /// <summary>
    /// Maps a media item. <paramref name="wraps"/> must hold at least the item's upload wraps and the caller's
    /// own wraps; <paramref name="devices"/> the device keys its signatures name (missing ones map to null).
    /// </summary>
    public static MediaDto ToDto(this MediaItem media, Guid callerId, IEnumerable<WrappedKey> wraps, IReadOnlyDictionary<string, DeviceKey> devices)
    {
        var all = wraps.Where(k => k.MediaId == media.Id).OrderBy(k => k.RecipientKeyId, StringComparer.Ordinal).ToList();
        return new MediaDto(
            media.Id,
            media.HoomiId,
            media.UploaderId,
            media.MimeType,
            media.Size,
            media.Sha256,
            media.Width,
            media.Height,
            media.DurationMs,
            Encode(media.EncryptedMetadata),
            media.HasThumbnail,
            media.ThumbnailSize,
            media.ThumbnailSha256,
            Encode(media.Header),
            media.SenderKeyId,
            Encode(media.Signature),
            DeviceOf(media.SenderKeyId, devices),
            media.CreatedAt,
            [.. all.Where(k => k.CameWithUpload(media.CreatedAt)).Select(k => new UploadWrapDto(k.RecipientKeyId, Base64Url.Encode(k.Enc), Base64Url.Encode(k.Key)))],
            [.. all.Where(k => k.RecipientUserId == callerId).Select(k => k.ToDto(devices))]);
    }

    public static WrappedKeyDto ToDto(this WrappedKey key, IReadOnlyDictionary<string, DeviceKey> devices) =>
        new(key.RecipientKeyId, Base64Url.Encode(key.Enc), Base64Url.Encode(key.Key), key.SignerKeyId, Encode(key.Signature), DeviceOf(key.SignerKeyId, devices));

    private static SignerDeviceDto? DeviceOf(string? keyId, IReadOnlyDictionary<string, DeviceKey> devices) =>
        keyId is not null && devices.TryGetValue(keyId, out var device) ? device.ToSignerDeviceDto() : null;

    // Binary values travel as unpadded base64url (architecture.md, Wire shapes).
    private static string? Encode(byte[]? bytes) => bytes is null ? null : Base64Url.Encode(bytes);
}
