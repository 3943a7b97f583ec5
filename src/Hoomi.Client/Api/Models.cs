namespace Hoomi.Client.Api;

// The wire shapes of architecture.md ("Wire shapes"), as the SDK reads them. Roles stay strings so that a
// server adding a role does not break older clients.

public sealed record UserInfo(Guid UserId, string UserName);

public sealed record DeviceKeyInfo(string KeyId, string PublicKey, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

public sealed record HoomiInfo(Guid Id, string Name, DateTimeOffset CreatedAt, string Role, int MemberCount, long UsedBytes, long QuotaBytes);

public sealed record MemberKey(string KeyId, string PublicKey);

public sealed record HoomiMember(Guid UserId, string UserName, string Role, DateTimeOffset JoinedAt, IReadOnlyList<MemberKey> Keys);

public sealed record WrappedKeyInfo(string RecipientKeyId, string Enc, string WrappedKey);

public sealed record MediaInfo(
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
    IReadOnlyList<WrappedKeyInfo> WrappedKeys);

public sealed record MediaPage(IReadOnlyList<MediaInfo> Items, string? NextCursor);

public sealed record MediaKeys(IReadOnlyList<WrappedKeyInfo> WrappedKeys, IReadOnlyList<string> MissingRecipientKeyIds);

internal sealed record ListResult<T>(IReadOnlyList<T> Items);

internal sealed record TokenResponse(string AccessToken, string RefreshToken, long ExpiresIn);

internal sealed record UploadMetadataJson(
    string MediaId,
    string MimeType,
    long Size,
    string Sha256,
    int? Width,
    int? Height,
    long? DurationMs,
    string? EncryptedMetadata,
    UploadThumbnailJson? Thumbnail,
    IReadOnlyList<WrappedKeyInfo> WrappedKeys);

internal sealed record UploadThumbnailJson(long Size, string Sha256);

internal sealed record ForwardRequestJson(Guid TargetHoomiId, string MediaId, string? EncryptedMetadata, IReadOnlyList<WrappedKeyInfo> WrappedKeys);

/// <summary>A page of <c>GET /hoomis/{id}/events</c>: items <c>{cursor, type, hoomiId, ...}</c>, oldest first.</summary>
internal sealed record EventPage(IReadOnlyList<System.Text.Json.Nodes.JsonObject> Items, string? NextCursor);

/// <summary><c>GET /hoomis/{id}/events/latest</c>.</summary>
internal sealed record LatestEventCursor(string Cursor);
