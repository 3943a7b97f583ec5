using System.Text;

namespace Hoomi.Domain.Keys;

/// <summary>
/// A device certificate (hoomi-e2ee-2): the user's identity key signs
/// <c>"hoomi-e2ee-2 device" || 0x00 || userId (36 ASCII) || devicePublicKey (65) || deviceSigningKey (65)</c>.
/// The server only checks it; it never creates one.
/// </summary>
public static class DeviceCertificate
{
    public static ReadOnlySpan<byte> Label => "hoomi-e2ee-2 device"u8;

    /// <summary>The signed message for a device of <paramref name="userId"/> (lowercase hyphenated UUID).</summary>
    public static byte[] Message(Guid userId, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> signingKey)
    {
        var id = Encoding.ASCII.GetBytes(userId.ToString("D"));
        return [.. Label, 0x00, .. id, .. publicKey, .. signingKey];
    }

    /// <summary>True when <paramref name="signature"/> is the identity key's signature over the certificate message.</summary>
    public static bool Verify(Guid userId, byte[] publicKey, byte[] signingKey, byte[] identityKey, byte[] signature) =>
        P256PublicKey.VerifySignature(identityKey, Message(userId, publicKey, signingKey), signature);
}
