using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Buffers;
using System.Text;

namespace Hoomi.Client.Crypto;

/// <summary>One wrap of a file key as it is signed: the recipient's key id and the two HPKE outputs.</summary>
internal readonly record struct SignedWrap(string RecipientKeyId, byte[] Enc, byte[] WrappedKey);

/// <summary>What the sender of a media item signs (e2ee.md, hoomi-e2ee-2, "Signed item").</summary>
internal sealed record ItemStatement(
    Guid HoomiId,
    Guid MediaId,
    string SenderKeyId,
    byte[] ContentHeader,
    byte[] ContentSha256,
    long ContentSize,
    byte[] EncryptedMetadata,
    byte[]? ThumbnailSha256,
    long? ThumbnailSize,
    string MimeType,
    IReadOnlyList<SignedWrap> Wraps);

/// <summary>
/// The byte strings of hoomi-e2ee-2 that keys sign (e2ee.md): device certificates, items and shared wraps. Ids are
/// ASCII (UUIDs in their 36-character lowercase form, key ids as their 43 base64url characters); every label ends with
/// a zero byte so that no message of one kind is a prefix of another kind's.
/// </summary>
internal static class SignedMessages
{
    public const int KeyIdLength = 43;

    /// <summary>"hoomi-e2ee-2 device" 0x00 || userId || device public key (65) || device signing key (65).</summary>
    public static byte[] DeviceCertificate(Guid userId, ReadOnlySpan<byte> devicePublicKey, ReadOnlySpan<byte> deviceSigningKey)
    {
        P256.EnsureValidPublicKey(devicePublicKey, "device public key");
        P256.EnsureValidPublicKey(deviceSigningKey, "device signing key");
        var m = new MessageBuilder("hoomi-e2ee-2 device");
        m.Uuid(userId);
        m.Bytes(devicePublicKey);
        m.Bytes(deviceSigningKey);
        return m.ToArray();
    }

    /// <summary>The item statement's bytes (e2ee.md, "Signed item").</summary>
    public static byte[] Item(ItemStatement item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.ContentSha256.Length != 32 || (item.ThumbnailSha256 is { } t && t.Length != 32) || (item.ThumbnailSha256 is null) != (item.ThumbnailSize is null))
        {
            throw new ArgumentException("Hashes are 32 bytes, and a thumbnail has both its hash and its size.", nameof(item));
        }

        var m = new MessageBuilder("hoomi-e2ee-2 item");
        m.Uuid(item.HoomiId);
        m.Uuid(item.MediaId);
        m.KeyId(item.SenderKeyId);
        m.Bytes(item.ContentHeader);
        m.Bytes(item.ContentSha256);
        m.UInt64(item.ContentSize);
        m.Bytes(SHA256.HashData(item.EncryptedMetadata));
        if (item.ThumbnailSha256 is null)
        {
            m.Byte(0);
        }
        else
        {
            m.Byte(1);
            m.Bytes(item.ThumbnailSha256);
            m.UInt64(item.ThumbnailSize!.Value);
        }

        var mime = Encoding.UTF8.GetBytes(item.MimeType);
        if (mime.Length > ushort.MaxValue)
        {
            throw new ArgumentException("The MIME type is too long.", nameof(item));
        }

        m.UInt16((ushort)mime.Length);
        m.Bytes(mime);
        m.Bytes(WrapsDigest(item.Wraps));
        return m.ToArray();
    }

    /// <summary>SHA-256 over the wraps sorted by recipient key id (ordinal): key id (43) || enc (65) || wrapped key (48) each.</summary>
    public static byte[] WrapsDigest(IEnumerable<SignedWrap> wraps)
    {
        ArgumentNullException.ThrowIfNull(wraps);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        string? previous = null;
        foreach (var w in wraps.OrderBy(w => w.RecipientKeyId, StringComparer.Ordinal))
        {
            if (previous == w.RecipientKeyId)
            {
                throw new ArgumentException($"Two wraps for key {w.RecipientKeyId}.", nameof(wraps));
            }

            previous = w.RecipientKeyId;
            CheckWrap(w);
            hash.AppendData(Encoding.ASCII.GetBytes(w.RecipientKeyId));
            hash.AppendData(w.Enc);
            hash.AppendData(w.WrappedKey);
        }

        return hash.GetHashAndReset();
    }

    /// <summary>"hoomi-e2ee-2 share" 0x00 || hoomiId || mediaId || content SHA-256 (32) || recipient key id || enc || wrapped key.</summary>
    public static byte[] Share(Guid hoomiId, Guid mediaId, ReadOnlySpan<byte> contentSha256, SignedWrap wrap)
    {
        if (contentSha256.Length != 32)
        {
            throw new ArgumentException("The content hash is 32 bytes.", nameof(contentSha256));
        }

        CheckWrap(wrap);
        var m = new MessageBuilder("hoomi-e2ee-2 share");
        m.Uuid(hoomiId);
        m.Uuid(mediaId);
        m.Bytes(contentSha256);
        m.KeyId(wrap.RecipientKeyId);
        m.Bytes(wrap.Enc);
        m.Bytes(wrap.WrappedKey);
        return m.ToArray();
    }

    private static void CheckWrap(SignedWrap w)
    {
        if (w.RecipientKeyId is not { Length: KeyIdLength } || w.Enc is not { Length: 65 } || w.WrappedKey is not { Length: 48 })
        {
            throw new ArgumentException("A wrap is a 43-character key id, a 65-byte enc and a 48-byte wrapped key.");
        }
    }

    private sealed class MessageBuilder
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _bytes = new(512);

        public MessageBuilder(string label)
        {
            Bytes(Encoding.ASCII.GetBytes(label));
            Byte(0);
        }

        public void Byte(byte b) => _bytes.Write([b]);

        public void Bytes(ReadOnlySpan<byte> b) => _bytes.Write(b);

        public void Uuid(Guid id) => Bytes(Encoding.ASCII.GetBytes(id.ToString("D")));

        public void KeyId(string keyId)
        {
            if (keyId is not { Length: KeyIdLength })
            {
                throw new ArgumentException("A key id is 43 base64url characters.", nameof(keyId));
            }

            Bytes(Encoding.ASCII.GetBytes(keyId));
        }

        public void UInt64(long value)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(b, checked((ulong)value));
            Bytes(b);
        }

        public void UInt16(ushort value)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(b, value);
            Bytes(b);
        }

        public byte[] ToArray() => _bytes.WrittenSpan.ToArray();
    }
}
