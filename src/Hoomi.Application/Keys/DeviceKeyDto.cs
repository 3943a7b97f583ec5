using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;
using Riok.Mapperly.Abstractions;

namespace Hoomi.Application.Keys;

/// <summary>A device key as its owner sees it.</summary>
public sealed record DeviceKeyDto(string KeyId, string PublicKey, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A member's active device key, as other members see it (no dates: nothing to act on).</summary>
public sealed record MemberKeyDto(string KeyId, string PublicKey);

// Only the DTO's members must be mapped: entities carry more than any one view shows.
[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target)]
public static partial class DeviceKeyMapper
{
    public static partial DeviceKeyDto ToDto(this DeviceKey key);

    public static partial MemberKeyDto ToMemberKeyDto(this DeviceKey key);

    // Binary values travel as unpadded base64url (architecture.md, Wire shapes).
    private static string BytesToBase64Url(byte[] bytes) => Base64Url.Encode(bytes);
}
