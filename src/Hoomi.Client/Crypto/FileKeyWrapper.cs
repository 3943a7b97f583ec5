using System.Security.Cryptography;

namespace Hoomi.Client.Crypto;

/// <summary>A file key wrapped for one recipient device key (e2ee.md, "Wrapping the file key").</summary>
internal sealed record WrappedFileKey(byte[] Enc, byte[] WrappedKey)
{
    public string EncBase64Url => Base64Url.Encode(Enc);

    public string WrappedKeyBase64Url => Base64Url.Encode(WrappedKey);
}

/// <summary>Wraps and unwraps the 32-byte file key with single-shot HPKE, bound to the media id.</summary>
internal static class FileKeyWrapper
{
    public const int FileKeyLength = 32;
    public const int WrappedKeyLength = FileKeyLength + Hpke.TagLength;

    internal static readonly byte[] Info = "hoomi-e2ee-1 file key"u8.ToArray();

    public static WrappedFileKey Wrap(ReadOnlySpan<byte> publicKeySec1, ReadOnlySpan<byte> fileKey, Guid mediaId)
    {
        CheckFileKey(fileKey);
        var wrapped = Hpke.Seal(publicKeySec1, Info, MediaIdAad(mediaId), fileKey, out var enc);
        return new WrappedFileKey(enc, wrapped);
    }

    internal static WrappedFileKey Wrap(ReadOnlySpan<byte> publicKeySec1, ReadOnlySpan<byte> fileKey, Guid mediaId, ECDiffieHellman ephemeral)
    {
        CheckFileKey(fileKey);
        var wrapped = Hpke.Seal(publicKeySec1, Info, MediaIdAad(mediaId), fileKey, ephemeral, out var enc);
        return new WrappedFileKey(enc, wrapped);
    }

    /// <summary>Recovers the file key; throws <see cref="CryptographicException"/> for a wrong key, media id or edited bytes.</summary>
    public static byte[] Unwrap(DeviceKeyPair privateKey, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> wrappedKey, Guid mediaId)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        if (enc.Length != Hpke.EncLength)
        {
            throw new CryptographicException($"enc must be {Hpke.EncLength} bytes.");
        }

        if (wrappedKey.Length != WrappedKeyLength)
        {
            throw new CryptographicException($"The wrapped key must be {WrappedKeyLength} bytes.");
        }

        return Hpke.Open(privateKey.Key, enc, Info, MediaIdAad(mediaId), wrappedKey);
    }

    /// <summary>Decodes the base64url fields strictly, then unwraps.</summary>
    public static byte[] Unwrap(DeviceKeyPair privateKey, string encBase64Url, string wrappedKeyBase64Url, Guid mediaId) =>
        Unwrap(privateKey, Base64Url.Decode(encBase64Url, Hpke.EncLength), Base64Url.Decode(wrappedKeyBase64Url, WrappedKeyLength), mediaId);

    /// <summary>The 36 ASCII bytes of the canonical lowercase hyphenated media id.</summary>
    public static byte[] MediaIdAad(Guid mediaId) => System.Text.Encoding.ASCII.GetBytes(mediaId.ToString("D"));

    private static void CheckFileKey(ReadOnlySpan<byte> fileKey)
    {
        if (fileKey.Length != FileKeyLength)
        {
            throw new ArgumentException($"The file key must be {FileKeyLength} bytes.", nameof(fileKey));
        }
    }
}
