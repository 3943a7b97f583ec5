using Hoomi.Domain.Common;
using Hoomi.Domain.Media;
using Riok.Mapperly.Abstractions;

namespace Hoomi.Application.Media;

/// <summary>The media wire shape (architecture.md): public metadata plus the caller's own wrapped keys.</summary>
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
    DateTimeOffset CreatedAt,
    IReadOnlyList<WrappedKeyDto> WrappedKeys);

public sealed record WrappedKeyDto(string RecipientKeyId, string Enc, string WrappedKey);

[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target)]
public static partial class MediaMapper
{
    /// <summary>Maps a media item with the wrapped keys of one recipient (the caller).</summary>
    public static MediaDto ToDto(this MediaItem media, IEnumerable<WrappedKey> callerKeys) =>
        Map(media) with { WrappedKeys = [.. callerKeys.OrderBy(k => k.RecipientKeyId, StringComparer.Ordinal).Select(ToDto)] };

    [MapperIgnoreTarget(nameof(MediaDto.WrappedKeys))]
    private static partial MediaDto Map(MediaItem media);

    [MapProperty(nameof(WrappedKey.Key), nameof(WrappedKeyDto.WrappedKey))]
    public static partial WrappedKeyDto ToDto(this WrappedKey key);

    private static string BytesToBase64Url(byte[] bytes) => Base64Url.Encode(bytes);
}
