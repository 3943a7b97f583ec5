using System.Security.Cryptography;

namespace Hoomi.Client.Crypto;

/// <summary>A device's P-256 ECDH key pair; the private half never leaves the device.</summary>
public sealed class DeviceKeyPair : IDisposable
{
    private readonly ECDiffieHellman _key;

    private DeviceKeyPair(ECDiffieHellman key)
    {
        _key = key;
        PublicKey = P256.ExportPublicKey(key);
        KeyId = Crypto.KeyId.Of(PublicKey.Span);
    }

    /// <summary>The SEC1 uncompressed public key (65 bytes).</summary>
    public ReadOnlyMemory<byte> PublicKey { get; }

    public string PublicKeyBase64Url => Base64Url.Encode(PublicKey.Span);

    public string KeyId { get; }

    internal ECDiffieHellman Key => _key;

    public static DeviceKeyPair Generate() => new(ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Imports an unencrypted PKCS#8 private key; refuses keys on other curves.</summary>
    public static DeviceKeyPair ImportPkcs8(ReadOnlySpan<byte> pkcs8)
    {
        var key = ECDiffieHellman.Create();
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8, out var read);
            if (read != pkcs8.Length)
            {
                throw new CryptographicException("Unexpected data after the PKCS#8 private key.");
            }

            var curve = key.ExportParameters(false).Curve;
            if (!curve.IsNamed || curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new CryptographicException("The private key is not on P-256.");
            }

            return new DeviceKeyPair(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Imports the raw 32-byte private scalar.</summary>
    public static DeviceKeyPair ImportRawPrivateKey(ReadOnlySpan<byte> scalar) => new(P256.ImportPrivateKey(scalar));

    public byte[] ExportPkcs8() => _key.ExportPkcs8PrivateKey();

    public byte[] ExportRawPrivateKey() => P256.ExportPrivateScalar(_key);

    public void Dispose() => _key.Dispose();
}
