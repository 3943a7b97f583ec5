using Hoomi.Application.Media.WrappedKeys;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Hoomi.Application.Media.Commands.UploadMedia;
using Hoomi.Client.Crypto;

namespace Hoomi.Benchmarks;

/// <summary>
/// One upload as the SDK sends it: a real HME1 ciphertext (64 KiB segments) of random plaintext, an optional
/// encrypted thumbnail, encrypted metadata, and the file key wrapped (HPKE) for one device key.
/// </summary>
internal sealed class UploadSample
{
    public const string MimeType = "image/jpeg";
    public const int Width = 4032;
    public const int Height = 3024;

    private UploadSample(Guid mediaId, byte[] ciphertext, byte[]? thumbnail, string encryptedMetadata, UploadWrappedKey wrappedKey)
    {
        MediaId = mediaId;
        Ciphertext = ciphertext;
        Sha256 = Sha256Hex(ciphertext);
        Thumbnail = thumbnail;
        ThumbnailSha256 = thumbnail is null ? null : Sha256Hex(thumbnail);
        EncryptedMetadata = encryptedMetadata;
        WrappedKey = wrappedKey;
    }

    public Guid MediaId { get; }

    public byte[] Ciphertext { get; }

    public string Sha256 { get; }

    public byte[]? Thumbnail { get; }

    public string? ThumbnailSha256 { get; }

    public string EncryptedMetadata { get; }

    public UploadWrappedKey WrappedKey { get; }

    /// <summary>Encrypts <paramref name="plaintextLength"/> random bytes (and a thumbnail when its length is above 0) for <paramref name="recipient"/>.</summary>
    public static UploadSample Create(int plaintextLength, int thumbnailPlaintextLength, DeviceKeyPair recipient)
    {
        var mediaId = Guid.CreateVersion7();
        var fileKey = RandomNumberGenerator.GetBytes(FileKeyWrapper.FileKeyLength);
        var ciphertext = Hme1.Encrypt(RandomNumberGenerator.GetBytes(plaintextLength), fileKey, Hme1Purpose.Content);
        var thumbnail = thumbnailPlaintextLength > 0
            ? Hme1.Encrypt(RandomNumberGenerator.GetBytes(thumbnailPlaintextLength), fileKey, Hme1Purpose.Thumbnail)
            : null;
        var encryptedMetadata = Client.Crypto.EncryptedMetadata.Encrypt(
            fileKey, mediaId, new MediaMetadata("IMG_0001.jpg", MimeType, plaintextLength, Width, Height));
        var wrapped = FileKeyWrapper.Wrap(recipient.PublicKey.Span, fileKey, mediaId);
        return new UploadSample(
            mediaId, ciphertext, thumbnail, Base64Url.Encode(encryptedMetadata),
            new UploadWrappedKey(recipient.KeyId, wrapped.EncBase64Url, wrapped.WrappedKeyBase64Url));
    }

    /// <summary>The metadata as the Api hands it to the use case, under <paramref name="mediaId"/>.</summary>
    public UploadMetadata Metadata(string mediaId) => new(
        mediaId, MimeType, Ciphertext.LongLength, Sha256, Width, Height, null, EncryptedMetadata,
        Thumbnail is null ? null : new UploadThumbnail(Thumbnail.LongLength, ThumbnailSha256),
        [WrappedKey]);

    /// <summary>The <c>metadata</c> part as the SDK writes it (camelCase, absent members omitted).</summary>
    public string MetadataJson()
    {
        var json = new JsonObject
        {
            ["mediaId"] = MediaId.ToString("D"),
            ["mimeType"] = MimeType,
            ["size"] = Ciphertext.LongLength,
            ["sha256"] = Sha256,
            ["width"] = Width,
            ["height"] = Height,
            ["encryptedMetadata"] = EncryptedMetadata,
            ["wrappedKeys"] = new JsonArray(new JsonObject
            {
                ["recipientKeyId"] = WrappedKey.RecipientKeyId,
                ["enc"] = WrappedKey.Enc,
                ["wrappedKey"] = WrappedKey.WrappedKey,
            }),
        };
        if (Thumbnail is not null)
        {
            json["thumbnail"] = new JsonObject { ["size"] = Thumbnail.LongLength, ["sha256"] = ThumbnailSha256 };
        }

        return json.ToJsonString();
    }

    /// <summary>The whole multipart/form-data body (metadata, file, optional thumbnail) and its Content-Type header.</summary>
    public async Task<(byte[] Body, string ContentType)> MultipartBodyAsync()
    {
        using var content = new MultipartFormDataContent("hoomi-bench-" + Guid.NewGuid().ToString("N"));
        content.Add(new StringContent(MetadataJson(), Encoding.UTF8, "application/json"), "metadata");
        var file = new ByteArrayContent(Ciphertext);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(file, "file", "blob");
        if (Thumbnail is not null)
        {
            var thumbnail = new ByteArrayContent(Thumbnail);
            thumbnail.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Add(thumbnail, "thumbnail", "thumb");
        }

        var body = await content.ReadAsByteArrayAsync();
        return (body, content.Headers.ContentType!.ToString());
    }

    private static string Sha256Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
