using System.Security.Cryptography;

namespace Hoomi.Client.Crypto;

/// <summary>The key id (fingerprint) users compare out of band: base64url(SHA-256(SEC1 public key)), 43 characters.</summary>
internal static class KeyId
{
    public const int Length = 43;

    public static string Of(ReadOnlySpan<byte> publicKey)
    {
        // Fingerprinting a malformed key would give users a reassuring id for something no client can use.
        P256.EnsureValidPublicKey(publicKey);
        return Base64Url.Encode(SHA256.HashData(publicKey));
    }
}
