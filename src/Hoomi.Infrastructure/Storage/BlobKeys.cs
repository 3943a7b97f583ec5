namespace Hoomi.Infrastructure.Storage;

/// <summary>
/// One set of key rules for every adapter, so a key valid on one store is valid on all of them and
/// a key can never escape the filesystem root (<c>..</c>, absolute paths, backslashes).
/// </summary>
internal static class BlobKeys
{
    public const int MaxLength = 512;

    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length is 0 or > MaxLength)
        {
            throw new ArgumentException($"A blob key must have 1 to {MaxLength} characters.", nameof(key));
        }

        if (key[0] == '/' || key[^1] == '/')
        {
            throw new ArgumentException($"Blob key '{key}' must not start or end with '/'.", nameof(key));
        }

        ValidateCharacters(key, nameof(key));
        foreach (var segment in key.Split('/'))
        {
            // Segments starting with '.' are reserved: '.' and '..' would walk the tree, and the
            // filesystem store keeps its temporary files under '.tmp'.
            if (segment.Length == 0 || segment[0] == '.')
            {
                throw new ArgumentException($"Blob key '{key}' has an empty segment or one starting with '.'.", nameof(key));
            }
        }
    }

    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            return;
        }

        if (prefix.Length > MaxLength || prefix[0] == '/' || prefix.Contains("//", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Blob prefix '{prefix}' is not valid.", nameof(prefix));
        }

        ValidateCharacters(prefix, nameof(prefix));
        var segments = prefix.Split('/');
        if (segments.Any(s => s.Length > 0 && s[0] == '.'))
        {
            throw new ArgumentException($"Blob prefix '{prefix}' has a segment starting with '.'.", nameof(prefix));
        }
    }

    /// <summary>A configured store prefix as a folder: empty, or without leading and with one trailing '/'.</summary>
    public static string NormalizeStorePrefix(string? prefix)
    {
        var trimmed = (prefix ?? "").Trim().Trim('/');
        return trimmed.Length == 0 ? "" : trimmed + "/";
    }

    private static void ValidateCharacters(string value, string paramName)
    {
        foreach (var c in value)
        {
            if (c == '\\' || char.IsControl(c))
            {
                throw new ArgumentException($"Blob key or prefix '{value}' contains a backslash or a control character.", paramName);
            }
        }
    }
}
