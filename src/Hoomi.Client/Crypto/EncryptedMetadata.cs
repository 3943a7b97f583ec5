using System.Security.Cryptography;
using System.Text.Json;

namespace Hoomi.Client.Crypto;

/// <summary>What only members learn about a media item (e2ee.md, "Encrypted metadata").</summary>
public sealed record MediaMetadata(string Name, string MimeType, long Size, int? Width = null, int? Height = null, long? DurationMs = null);

/// <summary>
/// encryptedMetadata = nonce (12) || AES-256-GCM(metadataKey, nonce, json, aad = media id) || tag (16), with
/// metadataKey = HKDF-SHA256(K, salt = empty, info = "hoomi-e2ee-1 metadata").
/// </summary>
internal static class EncryptedMetadata
{
    public const int NonceLength = 12;
    public const int TagLength = 16;

    /// <summary>Bounds the JSON a reader decrypts; names and MIME types are short, so this leaves ample room.</summary>
    public const int MaxLength = 64 * 1024;

    private static ReadOnlySpan<byte> Info => "hoomi-e2ee-1 metadata"u8;

    /// <param name="fileKey">K.</param>
    /// <param name="mediaId">The media id (aad).</param>
    /// <param name="metadata">What to encrypt.</param>
    /// <param name="pad">hoomi-e2ee-2: pad the JSON with trailing spaces to a multiple of 64 bytes, so the length shows little of the name.</param>
    public static byte[] Encrypt(ReadOnlySpan<byte> fileKey, Guid mediaId, MediaMetadata metadata, bool pad = false)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        Validate(metadata);
        var json = Serialize(metadata);
        if (pad && json.Length % 64 != 0)
        {
            var padded = new byte[json.Length + 64 - (json.Length % 64)];
            json.CopyTo(padded, 0);
            padded.AsSpan(json.Length).Fill((byte)' ');
            json = padded;
        }

        var output = new byte[NonceLength + json.Length + TagLength];
        RandomNumberGenerator.Fill(output.AsSpan(0, NonceLength));
        using var aes = new AesGcm(MetadataKey(fileKey), TagLength);
        aes.Encrypt(output.AsSpan(0, NonceLength), json, output.AsSpan(NonceLength, json.Length), output.AsSpan(NonceLength + json.Length), FileKeyWrapper.MediaIdAad(mediaId));
        return output;
    }

    /// <summary>Decrypts and parses; throws <see cref="CryptographicException"/> for a wrong key or media id and <see cref="FormatException"/> for bad JSON.</summary>
    public static MediaMetadata Decrypt(ReadOnlySpan<byte> fileKey, Guid mediaId, ReadOnlySpan<byte> encrypted)
    {
        if (encrypted.Length < NonceLength + TagLength || encrypted.Length > MaxLength)
        {
            throw new CryptographicException("The encrypted metadata has an impossible length.");
        }

        var jsonLength = encrypted.Length - NonceLength - TagLength;
        var json = new byte[jsonLength];
        using (var aes = new AesGcm(MetadataKey(fileKey), TagLength))
        {
            aes.Decrypt(encrypted[..NonceLength], encrypted.Slice(NonceLength, jsonLength), encrypted[^TagLength..], json, FileKeyWrapper.MediaIdAad(mediaId));
        }

        return Parse(json);
    }

    internal static byte[] MetadataKey(ReadOnlySpan<byte> fileKey)
    {
        if (fileKey.Length != FileKeyWrapper.FileKeyLength)
        {
            throw new ArgumentException("The file key must be 32 bytes.", nameof(fileKey));
        }

        var key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, fileKey, key, [], Info);
        return key;
    }

    /// <summary>Compact UTF-8 JSON with the members in the order e2ee.md lists them; optional ones only when known.</summary>
    internal static byte[] Serialize(MediaMetadata metadata)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            writer.WriteStartObject();
            writer.WriteString("name", metadata.Name);
            writer.WriteString("mimeType", metadata.MimeType);
            writer.WriteNumber("size", metadata.Size);
            if (metadata.Width is { } width)
            {
                writer.WriteNumber("width", width);
            }

            if (metadata.Height is { } height)
            {
                writer.WriteNumber("height", height);
            }

            if (metadata.DurationMs is { } duration)
            {
                writer.WriteNumber("durationMs", duration);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Strict reader: one object, known members with the right types, no duplicates, required ones present.</summary>
    internal static MediaMetadata Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return ParseCore(json);
        }
        catch (JsonException e)
        {
            throw new FormatException("The metadata is not valid JSON.", e);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader's typed getters throw this for a value of the wrong type.
            throw new FormatException("A metadata member has the wrong type.", e);
        }
    }

    private static MediaMetadata ParseCore(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("The metadata is not a JSON object.");
        }

        string? name = null, mimeType = null;
        long? size = null, durationMs = null;
        int? width = null, height = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var member = reader.GetString()!;
            if (!seen.Add(member))
            {
                // A duplicate could make two readers see two different values for the same member.
                throw new FormatException($"The metadata has the member '{member}' twice.");
            }

            reader.Read();
            switch (member)
            {
                case "name":
                    name = ReadString(ref reader, member);
                    break;
                case "mimeType":
                    mimeType = ReadString(ref reader, member);
                    break;
                case "size":
                    size = ReadInteger(ref reader, member);
                    break;
                case "width":
                    width = ReadInt32(ref reader, member);
                    break;
                case "height":
                    height = ReadInt32(ref reader, member);
                    break;
                case "durationMs":
                    durationMs = ReadInteger(ref reader, member);
                    break;
                default:
                    // Later versions may add members; this one ignores them.
                    reader.Skip();
                    break;
            }
        }

        // Consume to the end so that trailing content is reported.
        while (reader.Read())
        {
        }

        if (name is null || mimeType is null || size is null)
        {
            throw new FormatException("The metadata lacks name, mimeType or size.");
        }

        return new MediaMetadata(name, mimeType, size.Value, width, height, durationMs);
    }

    private static string ReadString(ref Utf8JsonReader reader, string member) =>
        reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw new FormatException($"The metadata member '{member}' must be a string.");

    private static long ReadInteger(ref Utf8JsonReader reader, string member)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value) || value < 0)
        {
            throw new FormatException($"The metadata member '{member}' must be a non-negative integer.");
        }

        return value;
    }

    private static int ReadInt32(ref Utf8JsonReader reader, string member)
    {
        var value = ReadInteger(ref reader, member);
        return value <= int.MaxValue ? (int)value : throw new FormatException($"The metadata member '{member}' is too large.");
    }

    private static void Validate(MediaMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata.Name);
        ArgumentNullException.ThrowIfNull(metadata.MimeType);
        ArgumentOutOfRangeException.ThrowIfNegative(metadata.Size);
        if (metadata.Width is < 0 || metadata.Height is < 0 || metadata.DurationMs is < 0)
        {
            throw new ArgumentException("Dimensions and duration must not be negative.", nameof(metadata));
        }
    }
}
