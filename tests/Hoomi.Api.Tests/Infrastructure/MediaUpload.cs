using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hoomi.Domain.Common;
using Hoomi.Domain.Media;

namespace Hoomi.Api.Tests.Infrastructure;

/// <summary>
/// Builds upload requests as a client would send them. The server cannot decrypt, so a well-formed HME1
/// header followed by random bytes of a valid length stands in for real ciphertext here (the client
/// tests use the real encryption end to end).
/// </summary>
public sealed class MediaUpload
{
    public Guid MediaId { get; set; } = Guid.CreateVersion7();

    public string MimeType { get; set; } = "image/jpeg";

    public byte[] Ciphertext { get; set; } = FakeCiphertext(1000);

    public byte[]? Thumbnail { get; set; }

    public List<string> RecipientKeyIds { get; } = [];

    /// <summary>The signing device (hoomi-e2ee-2): sends senderKeyId and a signature by its signing key; null for an unsigned upload.</summary>
    public TestDeviceKey? Sender { get; set; }

    /// <summary>The wraps sent in the metadata, fixed at their first use so that every build of the metadata sends the same ones.</summary>
    private JsonArray? _wraps;

    private string? _signature;

    /// <summary>Changes applied to the metadata JSON after it is built (to lie about size, hash, ...).</summary>
    public Action<JsonObject>? EditMetadata { get; set; }

    /// <summary>One-pass shape: metadata says <c>trailingSeal: true</c> and carries no sha256/signature; a final <c>seal</c> part does.</summary>
    public bool TrailingSeal { get; set; }

    /// <summary>With <see cref="TrailingSeal"/>: whether <see cref="ToContent"/> adds the seal part (false: the caller adds its own, or none).</summary>
    public bool SendSealPart { get; set; } = true;

    /// <summary>Changes applied to the seal JSON after it is built.</summary>
    public Action<JsonObject>? EditSeal { get; set; }

    public static MediaUpload For(params TestDeviceKey[] recipients)
    {
        var upload = new MediaUpload();
        upload.RecipientKeyIds.AddRange(recipients.Select(r => r.KeyId));
        return upload;
    }

    public JsonObject Metadata()
    {
        var json = new JsonObject
        {
            ["mediaId"] = MediaId.ToString(),
            ["mimeType"] = MimeType,
            ["size"] = Ciphertext.LongLength,
            ["sha256"] = Sha256Hex(Ciphertext),
            ["width"] = 640,
            ["height"] = 480,
            ["encryptedMetadata"] = Base64Url.Encode(RandomNumberGenerator.GetBytes(60)),
            ["wrappedKeys"] = Wraps().DeepClone(),
        };
        if (Sender is not null)
        {
            json["senderKeyId"] = Sender.KeyId;
            // ECDSA signatures are randomised: sign once, send the same signature on every build.
            json["signature"] = _signature ??= Base64Url.Encode(Sender.Sign([.. "test item "u8, .. MediaId.ToByteArray()]));
        }

        if (Thumbnail is not null)
        {
            json["thumbnail"] = new JsonObject { ["size"] = Thumbnail.LongLength, ["sha256"] = Sha256Hex(Thumbnail) };
        }

        if (TrailingSeal)
        {
            json.Remove("sha256");
            json.Remove("signature");
            json["trailingSeal"] = true;
        }

        EditMetadata?.Invoke(json);
        return json;
    }

    /// <summary>The seal part of a <see cref="TrailingSeal"/> upload: the ciphertext's hash and, when signed, the signature.</summary>
    public JsonObject Seal()
    {
        var json = new JsonObject { ["sha256"] = Sha256Hex(Ciphertext) };
        if (Sender is not null)
        {
            json["signature"] = _signature ??= Base64Url.Encode(Sender.Sign([.. "test item "u8, .. MediaId.ToByteArray()]));
        }

        EditSeal?.Invoke(json);
        return json;
    }

    /// <summary>The wraps of this upload, the same on every call.</summary>
    public JsonArray Wraps() => _wraps ??= WrapsFor(RecipientKeyIds);

    /// <summary>Fresh wraps (random enc point and sealed key) for the given recipient key ids.</summary>
    public static JsonArray WrapsFor(IEnumerable<string> recipientKeyIds) =>
        new([.. recipientKeyIds.Select(id => (JsonNode)new JsonObject
        {
            ["recipientKeyId"] = id,
            ["enc"] = Base64Url.Encode(TestDeviceKey.Generate().PublicKey),
            ["wrappedKey"] = Base64Url.Encode(RandomNumberGenerator.GetBytes(48)),
        })]);

    /// <summary>A POST /media/{id}/keys body: fresh wraps for the recipients, each signed by <paramref name="signer"/> (or unsigned when null).</summary>
    public static JsonObject ShareBody(TestDeviceKey? signer, params TestDeviceKey[] recipients)
    {
        var wraps = WrapsFor(recipients.Select(r => r.KeyId));
        if (signer is not null)
        {
            foreach (var wrap in wraps)
            {
                wrap!["signerKeyId"] = signer.KeyId;
                wrap["signature"] = Base64Url.Encode(signer.Sign(Encoding.ASCII.GetBytes(wrap["recipientKeyId"]!.GetValue<string>())));
            }
        }

        return new JsonObject { ["wrappedKeys"] = wraps };
    }

    public MultipartFormDataContent ToContent(Stream? fileOverride = null)
    {
        var content = new MultipartFormDataContent();
        content.Add(new StringContent(Metadata().ToJsonString(), Encoding.UTF8, "application/json"), "metadata");
        var file = new StreamContent(fileOverride ?? new MemoryStream(Ciphertext));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(file, "file", "blob");
        if (Thumbnail is not null)
        {
            var thumb = new ByteArrayContent(Thumbnail);
            thumb.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Add(thumb, "thumbnail", "thumb");
        }

        if (TrailingSeal && SendSealPart)
        {
            content.Add(new StringContent(Seal().ToJsonString(), Encoding.UTF8, "application/json"), "seal");
        }

        return content;
    }

    /// <summary>An HME1 header (S = 2^16) and random segment bytes for a plaintext of <paramref name="plaintextLength"/> bytes.</summary>
    public static byte[] FakeCiphertext(long plaintextLength, int log2SegmentSize = 16)
    {
        var length = Hme1Format.CiphertextLength(plaintextLength, 1 << log2SegmentSize);
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        "HME1"u8.CopyTo(bytes);
        bytes[4] = 1;
        bytes[5] = 0;
        bytes[6] = (byte)log2SegmentSize;
        bytes[7] = 0;
        return bytes;
    }

    /// <summary>
    /// A stream version 2 (hoomi-e2ee-2) ciphertext as the server sees it: the 96-byte header (magic, version 2,
    /// <paramref name="flags"/>, log2(S), 0, salt, commitment, sealed length; random where secret) and a random body
    /// for a padded plaintext of <paramref name="paddedLength"/> bytes: 96 + P + 16 * max(1, ceil(P / S)) bytes.
    /// </summary>
    public static byte[] FakeCiphertextV2(long paddedLength, byte flags = 0x03, int log2SegmentSize = 16)
    {
        var segmentSize = 1L << log2SegmentSize;
        var segments = Math.Max(1, (paddedLength + segmentSize - 1) / segmentSize);
        var bytes = new byte[96 + paddedLength + (16 * segments)];
        Random.Shared.NextBytes(bytes);
        "HME1"u8.CopyTo(bytes);
        bytes[4] = 2;
        bytes[5] = flags;
        bytes[6] = (byte)log2SegmentSize;
        bytes[7] = 0;
        return bytes;
    }

    public static string Sha256Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static string Serialize(JsonObject o) => o.ToJsonString(JsonSerializerOptions.Web);
}
