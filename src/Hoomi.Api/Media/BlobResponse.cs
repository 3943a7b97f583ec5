using System.Globalization;
using System.IO.Pipelines;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Media;
using Hoomi.Application.Media.Queries.OpenMediaContent;
using Microsoft.Net.Http.Headers;

namespace Hoomi.Api.Media;

/// <summary>
/// Writes ciphertext to the response as a download that no browser will render or sniff: octet-stream,
/// attachment, nosniff. Supports <c>If-None-Match</c> (304), one <c>Range</c> (206/416), <c>If-Range</c> and HEAD.
/// The bytes stream from the blob store to the socket; only a copy buffer is held.
/// </summary>
public static class BlobResponse
{
    private const int CopyBufferSize = 128 * 1024;

    public static async Task WriteAsync(HttpContext http, MediaContent content, string part, string fileName, string cacheControl, CancellationToken cancellationToken)
    {
        try
        {
            await WriteCoreAsync(http, content, fileName, cacheControl, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            MediaTelemetry.Downloads.Add(1, new("part", part), new("status", http.Response.StatusCode));
        }
    }

    private static async Task WriteCoreAsync(HttpContext http, MediaContent content, string fileName, string cacheControl, CancellationToken cancellationToken)
    {
        var request = http.Request;
        var response = http.Response;
        var etag = new EntityTagHeaderValue("\"" + content.Sha256 + "\"");
        var headers = response.GetTypedHeaders();
        headers.ETag = etag;
        headers.LastModified = content.CreatedAt;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.CacheControl = cacheControl;
        response.Headers.XContentTypeOptions = "nosniff";

        if (NoneMatch(request, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.ContentType = "application/octet-stream";
        response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = fileName, FileName = fileName }.ToString();

        var range = ResolveRange(request, etag, content.Size, out var unsatisfiable);
        if (unsatisfiable)
        {
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            response.Headers.ContentRange = "bytes */" + content.Size.ToString(CultureInfo.InvariantCulture);
            response.ContentLength = 0;
            return;
        }

        if (range is not null)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {range.From}-{range.To}/{content.Size}");
        }

        response.ContentLength = range?.Length ?? content.Size;
        if (HttpMethods.IsHead(request.Method))
        {
            return;
        }

        await using var body = await content.Open(range, cancellationToken).ConfigureAwait(false);
        await CopyToResponseAsync(body, response.BodyWriter, cancellationToken).ConfigureAwait(false);
        MediaTelemetry.DownloadedBytes.Add(range?.Length ?? content.Size);
    }

    /// <summary>
    /// Reads the blob straight into the response pipe's own memory: one user-space copy (file → pipe buffer, which the
    /// server then writes to the socket) instead of two (file → copy buffer → pipe) with <c>Stream.CopyToAsync</c> on
    /// the response body stream. The pipe's buffers are pooled; flushing waits while the client is slower than the disk.
    /// </summary>
    private static async Task CopyToResponseAsync(Stream body, PipeWriter writer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var memory = writer.GetMemory(CopyBufferSize);
            var read = await body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            writer.Advance(read);
            var flush = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                return;
            }
        }
    }

    private static bool NoneMatch(HttpRequest request, EntityTagHeaderValue etag)
    {
        var ifNoneMatch = request.GetTypedHeaders().IfNoneMatch;
        return ifNoneMatch.Count > 0 && ifNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false));
    }

    /// <summary>
    /// The single byte range asked for, or null for the whole object. Several ranges, another unit, or an
    /// <c>If-Range</c> that does not match are answered with the whole object, as RFC 9110 allows.
    /// </summary>
    private static ByteRange? ResolveRange(HttpRequest request, EntityTagHeaderValue etag, long size, out bool unsatisfiable)
    {
        unsatisfiable = false;
        var raw = request.Headers.Range;
        if (raw.Count == 0 || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            return null;
        }

        var ifRange = request.GetTypedHeaders().IfRange;
        if (ifRange is not null && (ifRange.EntityTag is null || !ifRange.EntityTag.Compare(etag, useStrongComparison: true)))
        {
            return null;
        }

        if (!RangeHeaderValue.TryParse(raw.ToString(), out var parsed) || !"bytes".Equals(parsed.Unit.Value, StringComparison.OrdinalIgnoreCase)
            || parsed.Ranges.Count != 1)
        {
            return null;
        }

        var r = parsed.Ranges.Single();
        long from, to;
        if (r.From is null)
        {
            // Suffix range: the last N bytes.
            var n = r.To!.Value;
            if (n == 0 || size == 0)
            {
                unsatisfiable = true;
                return null;
            }

            from = Math.Max(0, size - n);
            to = size - 1;
        }
        else
        {
            from = r.From.Value;
            if (from >= size)
            {
                unsatisfiable = true;
                return null;
            }

            to = Math.Min(r.To ?? (size - 1), size - 1);
        }

        return from == 0 && to == size - 1 ? null : new ByteRange(from, to);
    }
}
