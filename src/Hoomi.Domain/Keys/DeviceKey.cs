using Hoomi.Domain.Common;

namespace Hoomi.Domain.Keys;

/// <summary>One device's public key. The server never sees the private half.</summary>
public sealed class DeviceKey
{
    private DeviceKey()
    {
        KeyId = "";
        PublicKey = [];
    }

    public string KeyId { get; private set; }

    public Guid UserId { get; private set; }

    public byte[] PublicKey { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public bool IsActive => RevokedAt is null;

    /// <summary>Registers a key whose id must be its fingerprint and whose bytes must be a P-256 point.</summary>
    public static DeviceKey Register(Guid userId, string keyId, byte[] publicKey, DateTimeOffset now)
    {
        if (!P256PublicKey.IsValid(publicKey))
        {
            throw DomainException.Invalid("invalid-public-key", "The public key is not a P-256 point in SEC1 uncompressed form.");
        }

        if (!string.Equals(P256PublicKey.KeyIdOf(publicKey), keyId, StringComparison.Ordinal))
        {
            throw DomainException.Invalid("key-id-mismatch", "The key id is not the fingerprint (base64url SHA-256) of the public key.");
        }

        return new DeviceKey { KeyId = keyId, UserId = userId, PublicKey = publicKey, CreatedAt = now };
    }

    /// <summary>Revokes the key; revoking again keeps the first revocation time (a revoked key stays revoked).</summary>
    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;

    public bool HasSameKey(ReadOnlySpan<byte> publicKey) => PublicKey.AsSpan().SequenceEqual(publicKey);
}
