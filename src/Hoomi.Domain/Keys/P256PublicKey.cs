using System.Security.Cryptography;
using Hoomi.Domain.Common;

namespace Hoomi.Domain.Keys;

/// <summary>Checks and fingerprints P-256 public keys in SEC1 uncompressed form (e2ee.md, Keys).</summary>
public static class P256PublicKey
{
    public const int Length = 65;

    /// <summary>True when the bytes are 0x04 || X || Y and the point lies on the curve.</summary>
    public static bool IsValid(ReadOnlySpan<byte> sec1)
    {
        if (sec1.Length != Length || sec1[0] != 0x04)
        {
            return false;
        }

        try
        {
            using var ecdh = ECDiffieHellman.Create();
            // ImportParameters validates that the point is on the curve and refuses it otherwise.
            ecdh.ImportParameters(ParametersOf(sec1));
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// True when <paramref name="signature"/> (IEEE P1363 r || s, 64 bytes) is a valid ECDSA P-256/SHA-256
    /// signature of <paramref name="data"/> under the public key <paramref name="sec1"/>; false for any
    /// malformed key or signature.
    /// </summary>
    public static bool VerifySignature(ReadOnlySpan<byte> sec1, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (sec1.Length != Length || sec1[0] != 0x04 || signature.Length != EcdsaSignature.Length)
        {
            return false;
        }

        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportParameters(ParametersOf(sec1));
            return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The key id: base64url (no padding) of SHA-256 over the 65 key bytes; 43 characters.</summary>
    public static string KeyIdOf(ReadOnlySpan<byte> sec1) => Base64Url.Encode(SHA256.HashData(sec1));

    private static ECParameters ParametersOf(ReadOnlySpan<byte> sec1) => new()
    {
        Curve = ECCurve.NamedCurves.nistP256,
        Q = new ECPoint { X = sec1[1..33].ToArray(), Y = sec1[33..65].ToArray() },
    };
}
