using System.Security.Cryptography;

namespace Hoomi.Client.Crypto;

/// <summary>
/// An ECDSA P-256 key pair (e2ee.md, hoomi-e2ee-2): a user's identity key, or a device's signing key. Signatures are
/// SHA-256 and IEEE P1363 (r || s, 64 bytes), as WebCrypto makes them.
/// </summary>
public sealed class SigningKeyPair : IDisposable
{
    public const int SignatureLength = 64;
    private const int Pbkdf2Iterations = 600_000;
    private readonly ECDsa _key;

    private SigningKeyPair(ECDsa key)
    {
        _key = key;
        var p = key.ExportParameters(false);
        PublicKey = (byte[])[0x04, .. p.Q.X!, .. p.Q.Y!];
        Fingerprint = KeyId.Of(PublicKey.Span);
    }

    /// <summary>The SEC1 uncompressed public key (65 bytes).</summary>
    public ReadOnlyMemory<byte> PublicKey { get; }

    public string PublicKeyBase64Url => Base64Url.Encode(PublicKey.Span);

    /// <summary>base64url(SHA-256(public key)), as for device keys.</summary>
    public string Fingerprint { get; }

    public static SigningKeyPair Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public static SigningKeyPair ImportPkcs8(ReadOnlySpan<byte> pkcs8)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8, out var read);
            return Checked(key, read == pkcs8.Length);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Imports a password-encrypted PKCS#8 key (what <see cref="ExportEncryptedPkcs8"/> writes).</summary>
    public static SigningKeyPair ImportEncryptedPkcs8(ReadOnlySpan<char> password, ReadOnlySpan<byte> encrypted)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportEncryptedPkcs8PrivateKey(password, encrypted, out var read);
            return Checked(key, read == encrypted.Length);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public byte[] ExportPkcs8() => _key.ExportPkcs8PrivateKey();

    /// <summary>PKCS#8 encrypted with PBES2: AES-256-CBC under PBKDF2-HMAC-SHA256 with 600,000 iterations.</summary>
    public byte[] ExportEncryptedPkcs8(ReadOnlySpan<char> password) =>
        _key.ExportEncryptedPkcs8PrivateKey(password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, Pbkdf2Iterations));

    public byte[] Sign(ReadOnlySpan<byte> message) =>
        _key.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>True when <paramref name="signature"/> (64 bytes, r || s) is a valid signature of the message under the SEC1 key.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength || !P256.IsValidPublicKey(publicKey))
        {
            return false;
        }

        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = publicKey.Slice(1, 32).ToArray(), Y = publicKey.Slice(33, 32).ToArray() },
        });
        return key.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    public void Dispose() => _key.Dispose();

    private static SigningKeyPair Checked(ECDsa key, bool consumedAll)
    {
        if (!consumedAll)
        {
            throw new CryptographicException("Unexpected data after the PKCS#8 private key.");
        }

        var curve = key.ExportParameters(false).Curve;
        if (!curve.IsNamed || curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new CryptographicException("The private key is not on P-256.");
        }

        return new SigningKeyPair(key);
    }
}
