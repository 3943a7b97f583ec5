namespace Hoomi.Domain.Common;

/// <summary>
/// Base64url without padding (RFC 4648 §5), strict as e2ee.md asks: no padding, no '+' or '/',
/// and only the canonical encoding of each value is accepted.
/// </summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null)
        {
            return false;
        }

        foreach (var c in text)
        {
            var ok = c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';
            if (!ok)
            {
                return false;
            }
        }

        if (text.Length % 4 == 1)
        {
            return false;
        }

        try
        {
            var decoded = System.Buffers.Text.Base64Url.DecodeFromChars(text);
            // Non-canonical trailing bits decode to the same bytes; re-encoding tells them apart.
            if (!string.Equals(System.Buffers.Text.Base64Url.EncodeToString(decoded), text, StringComparison.Ordinal))
            {
                return false;
            }

            bytes = decoded;
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// The bytes of a value a validator has already accepted (empty for null or malformed text, which validation
    /// has refused before this is reached).
    /// </summary>
    public static byte[] DecodeValidated(string? text) => TryDecode(text, out var bytes) ? bytes : [];

    /// <summary>True when <paramref name="text"/> is canonical unpadded base64url of exactly <paramref name="length"/> bytes.</summary>
    public static bool IsOfLength(string? text, int length) => TryDecode(text, out var b) && b.Length == length;
}
