namespace Hoomi.Client.Crypto;

/// <summary>
/// Which MIME types a writer compresses before encryption (e2ee.md): text-like ones only. Media that players seek in
/// stays uncompressed, since compression would make the stream unseekable and barely shrinks already-compressed data.
/// </summary>
internal static class CompressionPolicy
{
    private static readonly HashSet<string> TextLikeTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/json",
        "application/xml",
        "application/xhtml+xml",
        "application/javascript",
        "application/ecmascript",
        "application/x-javascript",
        "application/x-ndjson",
        "application/ld+json",
        "application/geo+json",
        "application/manifest+json",
        "application/x-yaml",
        "application/yaml",
        "application/toml",
        "application/sql",
        "application/rtf",
        "application/x-sh",
        "application/x-tex",
        "application/csv",
        "application/x-subrip",
        "application/gpx+xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/postscript",
        "image/svg+xml",
    };

    public static bool ShouldCompress(string? mimeType)
    {
        if (string.IsNullOrWhiteSpace(mimeType))
        {
            return false;
        }

        // Parameters such as "; charset=utf-8" do not change the answer.
        var semicolon = mimeType.IndexOf(';', StringComparison.Ordinal);
        var type = (semicolon >= 0 ? mimeType[..semicolon] : mimeType).Trim();
        if (type.StartsWith("text/", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // Structured syntax suffixes (RFC 6839): application/vnd.foo+json, ...+xml.
        if (type.EndsWith("+json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+xml", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return TextLikeTypes.Contains(type);
    }
}
