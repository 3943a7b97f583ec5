namespace Hoomi.Client.Crypto;

/// <summary>
/// Base64url without padding (RFC 4648 §5), strict on input: e2ee.md requires one canonical spelling for
/// every key, so that a key id or wrapped key cannot be written in two ways that compare unequal as text
/// yet decode to the same bytes.
/// </summary>
internal static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    /// <summary>Decodes canonical unpadded base64url; throws <see cref="FormatException"/> otherwise.</summary>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryDecode(text, out var bytes)
            ? bytes
            : throw new FormatException("The value is not canonical unpadded base64url.");
    }

    /// <summary>Decodes and checks the decoded length, as every key field of the format has a fixed size.</summary>
    public static byte[] Decode(string text, int expectedLength)
    {
        var bytes = Decode(text);
        return bytes.Length == expectedLength
            ? bytes
            : throw new FormatException($"Expected {expectedLength} bytes, got {bytes.Length}.");
    }

    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null || text.Length % 4 == 1)
        {
            return false;
        }

        var output = new byte[text.Length * 3 / 4];
        int buffer = 0, bits = 0, written = 0;
        foreach (var c in text)
        {
            var value = ValueOf(c);
            if (value < 0)
            {
                return false;
            }

            buffer = (buffer << 6) | value;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                output[written++] = (byte)(buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }

        // Leftover bits must be zero: otherwise two different texts would decode to the same bytes.
        if (buffer != 0)
        {
            return false;
        }

        bytes = output;
        return true;
    }

    private static int ValueOf(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '-' => 62,
        '_' => 63,
        _ => -1,
    };
}
