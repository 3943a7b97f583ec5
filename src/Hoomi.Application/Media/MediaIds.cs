namespace Hoomi.Application.Media;

public static class MediaIds
{
    /// <summary>
    /// A media id as clients must send it: a UUIDv7 (version 7, RFC 9562 variant) in canonical lowercase
    /// hyphenated form, the same 36 characters that are bound into the wrapped keys as associated data.
    /// </summary>
    public static bool IsCanonicalV7(string? id) =>
        Guid.TryParseExact(id, "D", out var g) && g.Version == 7 && id![19] is '8' or '9' or 'a' or 'b'
        && string.Equals(id, g.ToString("D"), StringComparison.Ordinal);
}
