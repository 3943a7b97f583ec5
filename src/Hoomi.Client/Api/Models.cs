namespace Hoomi.Client.Api;

// The wire shapes of architecture.md ("Wire shapes"), as the SDK reads them. Roles stay strings so that a
// server adding a role does not break older clients.

public sealed record UserInfo(Guid UserId, string UserName);

public sealed record DeviceKeyInfo(
    string KeyId,
    string PublicKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt,
    string? SigningKey = null,
    string? IdentityKey = null,
    string? Signature = null);

public sealed record HoomiInfo(Guid Id, string Name, DateTimeOffset CreatedAt, string Role, int MemberCount, long UsedBytes, long QuotaBytes);

/// <summary>A member's device key with its certificate (hoomi-e2ee-2); the last three are null for a legacy unsigned key.</summary>
public sealed record MemberKey(string KeyId, string PublicKey, string? SigningKey = null, string? IdentityKey = null, string? Signature = null);

/// <summary>A device key's certificate as the server relays it: the identity key's signature over user, key and signing key.</summary>
public sealed record DeviceCertificateInfo(Guid UserId, string KeyId, string PublicKey, string? SigningKey, string? IdentityKey, string? Signature);

/// <summary>An invitation to a hoomi the caller has not answered yet.</summary>
public sealed record InvitationInfo(Guid HoomiId, string HoomiName, Guid InvitedBy, string InvitedByUserName, DateTimeOffset InvitedAt);

public sealed record HoomiMember(Guid UserId, string UserName, string Role, DateTimeOffset JoinedAt, IReadOnlyList<MemberKey> Keys);

public sealed record WrappedKeyInfo(
    string RecipientKeyId,
    string Enc,
    string WrappedKey,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? SignerKeyId = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Signature = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] DeviceCertificateInfo? SignerDevice = null);

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
    IReadOnlyList<WrappedKeyInfo> WrappedKeys,
    string? Header = null,
    string? SenderKeyId = null,
    string? Signature = null,
    DeviceCertificateInfo? SenderDevice = null,
    long? ThumbnailSize = null,
    string? ThumbnailSha256 = null,
    IReadOnlyList<WrappedKeyInfo>? UploadWraps = null);

public sealed record MediaPage(IReadOnlyList<MediaInfo> Items, string? NextCursor);

public sealed record MediaKeys(IReadOnlyList<WrappedKeyInfo> WrappedKeys, IReadOnlyList<string> MissingRecipientKeyIds);

internal sealed record ListResult<T>(IReadOnlyList<T> Items);

internal sealed record TokenResponse(string AccessToken, string RefreshToken, long ExpiresIn);

internal sealed record UploadMetadataJson(
    string MediaId,
    string MimeType,
    long Size,
    string? Sha256,
    int? Width,
    int? Height,
    long? DurationMs,
    string? EncryptedMetadata,
    UploadThumbnailJson? Thumbnail,
    IReadOnlyList<WrappedKeyInfo> WrappedKeys,
    string? SenderKeyId,
    string? Signature,
    bool? TrailingSeal = null);

/// <summary>The final <c>seal</c> part of a one-pass upload: the ciphertext's hash and the item signature over it.</summary>
internal sealed record UploadSealJson(string Sha256, string? Signature);

internal sealed record UploadThumbnailJson(long Size, string Sha256);

internal sealed record ForwardRequestJson(Guid TargetHoomiId, string MediaId, string? EncryptedMetadata, IReadOnlyList<WrappedKeyInfo> WrappedKeys, string? SenderKeyId, string? Signature);

/// <summary>A page of <c>GET /hoomis/{id}/events</c>: items <c>{cursor, type, hoomiId, ...}</c>, oldest first.</summary>
internal sealed record EventPage(IReadOnlyList<System.Text.Json.Nodes.JsonObject> Items, string? NextCursor);

/// <summary><c>GET /hoomis/{id}/events/latest</c>.</summary>
internal sealed record LatestEventCursor(string Cursor);
