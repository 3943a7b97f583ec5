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

    /// <summary>The device's ECDSA P-256 signing key (SEC1, 65 bytes); null for a legacy (v1) key without certificate.</summary>
    public byte[]? SigningKey { get; private set; }

    /// <summary>The owner's identity key (SEC1, 65 bytes) that signed this device's certificate; null for a legacy key.</summary>
    public byte[]? IdentityKey { get; private set; }

    /// <summary>The certificate: the identity key's signature (P1363, 64 bytes) over <see cref="DeviceCertificate.Message"/>.</summary>
    public byte[]? Signature { get; private set; }

    /// <summary>True when the key carries a device certificate (hoomi-e2ee-2): it may sign uploads and shares.</summary>
    public bool IsCertified => Signature is not null;

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

    /// <summary>
    /// Stores (or replaces) the device certificate after checking it: both keys must be P-256 points and the
    /// signature must verify under the identity key over the certificate message for this key's owner.
    /// </summary>
    public void Certify(byte[] signingKey, byte[] identityKey, byte[] signature)
    {
        if (!P256PublicKey.IsValid(signingKey))
        {
            throw DomainException.Invalid("invalid-public-key", "The signing key is not a P-256 point in SEC1 uncompressed form.");
        }

        if (!P256PublicKey.IsValid(identityKey))
        {
            throw DomainException.Invalid("invalid-public-key", "The identity key is not a P-256 point in SEC1 uncompressed form.");
        }

        if (!EcdsaSignature.HasValidLength(signature) || !DeviceCertificate.Verify(UserId, PublicKey, signingKey, identityKey, signature))
        {
            throw DomainException.Invalid(
                "invalid-device-signature",
                "The signature is not a valid 64-byte ECDSA P-256 signature by the identity key over this user's device certificate.");
        }

        SigningKey = signingKey;
        IdentityKey = identityKey;
        Signature = signature;
    }

    /// <summary>Revokes the key; revoking again keeps the first revocation time (a revoked key stays revoked).</summary>
    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;

    public bool HasSameKey(ReadOnlySpan<byte> publicKey) => PublicKey.AsSpan().SequenceEqual(publicKey);
}
