using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;
using Riok.Mapperly.Abstractions;

namespace Hoomi.Application.Keys;

/// <summary>
/// A device key as its owner sees it. <see cref="SigningKey"/>, <see cref="IdentityKey"/> and
/// <see cref="Signature"/> are its device certificate (hoomi-e2ee-2), null for a legacy key.
/// </summary>
public sealed record DeviceKeyDto(
    string KeyId, string PublicKey, string? SigningKey, string? IdentityKey, string? Signature, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A member's active device key with its certificate (null for a legacy key), as other members see it (no dates: nothing to act on).</summary>
public sealed record MemberKeyDto(string KeyId, string PublicKey, string? SigningKey, string? IdentityKey, string? Signature);

/// <summary>
/// The device that signed an item or a share, with its certificate, so that a reader can check it (it may
/// since have been revoked; a signature made before stays checkable).
/// </summary>
public sealed record SignerDeviceDto(Guid UserId, string KeyId, string PublicKey, string? SigningKey, string? IdentityKey, string? Signature);

// Only the DTO's members must be mapped: entities carry more than any one view shows.
[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target)]
public static partial class DeviceKeyMapper
{
    public static partial DeviceKeyDto ToDto(this DeviceKey key);

    public static partial MemberKeyDto ToMemberKeyDto(this DeviceKey key);

    public static partial SignerDeviceDto ToSignerDeviceDto(this DeviceKey key);

    // Binary values travel as unpadded base64url (architecture.md, Wire shapes).
    private static string BytesToBase64Url(byte[] bytes) => Base64Url.Encode(bytes);
}
