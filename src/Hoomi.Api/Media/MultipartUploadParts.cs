using System.Text.Json;
using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Media.Commands.UploadMedia;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Hoomi.Api.Media;

/// <summary>
/// Reads an upload's <c>multipart/form-data</c> body as a sequence of streams with <see cref="MultipartReader"/>:
/// <c>metadata</c>, then <c>file</c>, then optionally <c>thumbnail</c>, then <c>seal</c> when the metadata announced one.
/// Nothing is buffered beyond the reader's own small buffer; a body that breaks off surfaces as
/// <see cref="UploadInterruptedException"/>.
/// </summary>
public sealed class MultipartUploadParts : IUploadParts
{
    private const int MaxMetadataBytes = 4 * 1024 * 1024;
    private const int MaxSealBytes = 4 * 1024;
    private const int ReaderBufferSize = 64 * 1024;
    private const int SmallBodyReaderBufferSize = 4 * 1024;
    private const long SmallBodyLimit = 256 * 1024;
    private readonly MultipartReader _reader;
    private JsonSerializerOptions? _json;
    private MultipartSection? _pending;
    private bool _ended;

    private MultipartUploadParts(MultipartReader reader) => _reader = reader;

    /// <summary>
    /// Starts reading the body; a request that is not multipart/form-data with a boundary is a 415. A pause of more than
    /// <paramref name="idleTimeout"/> anywhere in the body ends the upload (<see cref="UploadBodyStream"/>).
    /// </summary>
    public static MultipartUploadParts Begin(HttpRequest request, TimeSpan idleTimeout = default)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadHttpRequestException("An upload is multipart/form-data: part metadata, then file, then optionally thumbnail.",
                StatusCodes.Status415UnsupportedMediaType);
        }

        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 200)
        {
            throw new BadHttpRequestException("The multipart boundary is missing or too long.", StatusCodes.Status400BadRequest);
        }

        // The file part may be gigabytes: the size limit is the declared size, enforced while reading.
        // A section's body reads at most one reader buffer at a time: the default 4 KiB turns a 1 GiB file into
        // 262,144 reads, hashes and file writes downstream. 64 KiB makes them 16 times fewer (bench/README.md).
        // But the reader takes its buffer from the shared array pool and never gives it back, so every request
        // allocates it anew: a body known to be small (the common 16 KiB upload) gets the default 4 KiB, which costs
        // it a handful of reads and saves 60 KB of garbage per request.
        var bufferSize = request.ContentLength is <= SmallBodyLimit ? SmallBodyReaderBufferSize : ReaderBufferSize;
        return new MultipartUploadParts(new MultipartReader(boundary, new UploadBodyStream(request.Body, idleTimeout), bufferSize) { BodyLengthLimit = null });
    }

    /// <summary>Reads and parses the first part, which must be <c>metadata</c> (JSON, at most 4 MiB).</summary>
    public async Task<UploadMetadata> ReadMetadataAsync(JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        _json = json;
        var section = await NextAsync(cancellationToken).ConfigureAwait(false);
        if (section is null || NameOf(section) != "metadata")
        {
            throw ValidationException.For("metadata", "The first part of an upload must be metadata (JSON).");
        }

        try
        {
            await using var limited = new ThrowPastLimitStream(section.Body, MaxMetadataBytes);
            return await JsonSerializer.DeserializeAsync<UploadMetadata>(limited, json, cancellationToken).ConfigureAwait(false)
                ?? throw ValidationException.For("metadata", "The metadata part is empty.");
        }
        catch (JsonException ex)
        {
            throw ValidationException.For("metadata", "The metadata part is not valid JSON of the upload shape: " + ex.Message);
        }
    }

    public async Task<Stream> OpenFileAsync(CancellationToken cancellationToken)
    {
        var section = await NextAsync(cancellationToken).ConfigureAwait(false);
        if (section is null || NameOf(section) != "file")
        {
            throw ValidationException.For("file", "The part after metadata must be file (the ciphertext).");
        }

        return new InterruptionMappingStream(section.Body);
    }

    public async Task<Stream?> OpenThumbnailAsync(bool sealFollows, CancellationToken cancellationToken)
    {
        var section = await NextAsync(cancellationToken).ConfigureAwait(false);
        if (section is null)
        {
            return null;
        }

        var name = NameOf(section);
        if (name == "seal")
        {
            if (!sealFollows)
            {
                throw ValidationException.For("seal", "A seal part comes only with an upload whose metadata says trailingSeal: true.");
            }

            _pending = section;
            return null;
        }

        if (name != "thumbnail")
        {
            throw ValidationException.For("thumbnail", "Only a thumbnail (or seal) part may follow the file part.");
        }

        return new InterruptionMappingStream(section.Body);
    }

    public async Task<UploadSeal> ReadSealAsync(CancellationToken cancellationToken)
    {
        var section = _pending ?? await NextAsync(cancellationToken).ConfigureAwait(false);
        _pending = null;
        if (section is null || NameOf(section) != "seal")
        {
            throw ValidationException.For("seal", "An upload with trailingSeal ends with a seal part (JSON: sha256, signature).");
        }

        UploadSeal seal;
        try
        {
            await using var limited = new ThrowPastLimitStream(new InterruptionMappingStream(section.Body), MaxSealBytes);
            seal = await JsonSerializer.DeserializeAsync<UploadSeal>(limited, _json, cancellationToken).ConfigureAwait(false)
                ?? throw ValidationException.For("seal", "The seal part is empty.");
        }
        catch (JsonException ex)
        {
            throw ValidationException.For("seal", "The seal part is not valid JSON of the seal shape: " + ex.Message);
        }

        if (await NextAsync(cancellationToken).ConfigureAwait(false) is not null)
        {
            throw ValidationException.For("seal", "Nothing may follow the seal part.");
        }

        return seal;
    }

    private async Task<MultipartSection?> NextAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return null;
        }

        try
        {
            var section = await _reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false);
            _ended = section is null;
            return section;
        }
        catch (IOException ex)
        {
            throw new UploadInterruptedException("The upload body ended before its last part was complete.", ex);
        }
        catch (InvalidDataException ex)
        {
            throw ValidationException.For("body", "The multipart body is malformed: " + ex.Message);
        }
    }

    private static string? NameOf(MultipartSection section) =>
        ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var cd) ? HeaderUtilities.RemoveQuotes(cd.Name).Value : null;
}
