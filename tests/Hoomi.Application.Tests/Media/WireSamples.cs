using Hoomi.Application.Media.WrappedKeys;
using System.Security.Cryptography;
using Hoomi.Application.Media.Commands.UploadMedia;
using Hoomi.Domain.Common;

namespace Hoomi.Application.Tests.Media;

/// <summary>Valid wire values for the media commands, so that each test changes just what it is about.</summary>
internal static class WireSamples
{
    public const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static readonly Lazy<string> SharedEnc = new(() => Base64Url.Encode(NewPoint()));

    /// <summary>A 65-byte P-256 point, as enc is one.</summary>
    public static string Enc => SharedEnc.Value;

    public static byte[] NewPoint()
    {
        using var pair = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = pair.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    public static string KeyId(byte seed) => Base64Url.Encode(SHA256.HashData([seed]));

    public static string WrappedKeyBytes => Base64Url.Encode(Enumerable.Range(0, 48).Select(i => (byte)i).ToArray());

    public static UploadWrappedKey Key(byte seed) => new(KeyId(seed), Enc, WrappedKeyBytes);

    /// <summary>A 64-byte signature's worth of bytes (the validators check the length; whose it is, the handlers).</summary>
    public static string SignatureBytes => Base64Url.Encode(Enumerable.Range(0, 64).Select(i => (byte)(i + 1)).ToArray());

    public static SharedWrappedKey SharedKey(byte seed) => new(KeyId(seed), Enc, WrappedKeyBytes, KeyId(200), SignatureBytes);

    public static string EncryptedMetadata(int bytes) => Base64Url.Encode(new byte[bytes]);

    public static string NewMediaId() => Guid.CreateVersion7().ToString("D");
}
