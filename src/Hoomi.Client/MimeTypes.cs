namespace Hoomi.Client;

/// <summary>
/// The MIME type an upload declares, from the file name; a file whose extension is unknown (or that has none) is sent
/// as <c>application/octet-stream</c>, which the server accepts unless its operator restricted the allowed types.
/// </summary>
public static class MimeTypes
{
    public const string Unknown = "application/octet-stream";

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".png"] = "image/png", [".gif"] = "image/gif",
        [".webp"] = "image/webp", [".heic"] = "image/heic", [".heif"] = "image/heif", [".avif"] = "image/avif",
        [".bmp"] = "image/bmp", [".tif"] = "image/tiff", [".tiff"] = "image/tiff", [".svg"] = "image/svg+xml",
        [".mp4"] = "video/mp4", [".m4v"] = "video/x-m4v", [".mov"] = "video/quicktime", [".webm"] = "video/webm",
        [".mkv"] = "video/x-matroska", [".avi"] = "video/x-msvideo",
        [".mp3"] = "audio/mpeg", [".m4a"] = "audio/mp4", [".aac"] = "audio/aac", [".ogg"] = "audio/ogg",
        [".opus"] = "audio/opus", [".wav"] = "audio/wav", [".flac"] = "audio/flac",
        [".txt"] = "text/plain", [".md"] = "text/markdown", [".csv"] = "text/csv", [".html"] = "text/html",
        [".htm"] = "text/html", [".css"] = "text/css", [".log"] = "text/plain",
        [".json"] = "application/json", [".xml"] = "application/xml", [".pdf"] = "application/pdf",
        [".rtf"] = "application/rtf", [".doc"] = "application/msword",
        [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [".pptx"] = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        [".xls"] = "application/vnd.ms-excel", [".ppt"] = "application/vnd.ms-powerpoint",
        [".odt"] = "application/vnd.oasis.opendocument.text", [".ods"] = "application/vnd.oasis.opendocument.spreadsheet",
        [".odp"] = "application/vnd.oasis.opendocument.presentation",
        [".zip"] = "application/zip", [".gz"] = "application/gzip", [".tgz"] = "application/gzip", [".7z"] = "application/x-7z-compressed",
        [".tar"] = "application/x-tar", [".bz2"] = "application/x-bzip2", [".xz"] = "application/x-xz",
        [".rar"] = "application/vnd.rar", [".zst"] = "application/zstd",
    };

    public static string FromFileName(string fileName) =>
        ByExtension.TryGetValue(Path.GetExtension(fileName), out var type) ? type : Unknown;
}
