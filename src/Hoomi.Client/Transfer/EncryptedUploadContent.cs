using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Hoomi.Client.Transfer;

/// <summary>
/// The <c>multipart/form-data</c> upload body — part <c>metadata</c>, part <c>file</c>, optionally part
/// <c>thumbnail</c>, then part <c>seal</c> — written straight into the request in one pass: the ciphertext is
/// produced by <c>writeCiphertext</c> while the socket takes it, hashed on the way, and the seal (its SHA-256 and the
/// item signature over it, made by <c>seal</c>) follows it. Nothing the size of the file is ever buffered. The
/// ciphertext's length follows from the plaintext's and the seal's JSON is of fixed length, so the request goes out
/// with a Content-Length rather than chunked.
/// </summary>
internal sealed class EncryptedUploadContent : HttpContent
{
    private readonly byte[] _prefix;
    private readonly byte[] _middle;
    private readonly byte[] _end;
    private readonly long _ciphertextLength;
    private readonly int _sealLength;
    private readonly Func<Stream, CancellationToken, Task<byte[]>> _writeCiphertext;
    private readonly Func<byte[], byte[], byte[]> _seal;

    /// <param name="writeCiphertext">Writes the ciphertext and returns its HME1 header.</param>
    /// <param name="seal">Makes the seal part's JSON from the header and the ciphertext's SHA-256; exactly <paramref name="sealLength"/> bytes.</param>
    public EncryptedUploadContent(byte[] metadataJson, long ciphertextLength, Func<Stream, CancellationToken, Task<byte[]>> writeCiphertext,
        byte[]? thumbnail, Func<byte[], byte[], byte[]> seal, int sealLength)
    {
        var boundary = "hoomi-" + Guid.NewGuid().ToString("N");
        _prefix = [
            .. Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"),
            .. metadataJson,
            .. Encoding.ASCII.GetBytes($"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file.hme1\"\r\nContent-Type: application/octet-stream\r\n\r\n"),
        ];
        // The thumbnail is small (the server takes at most 256 KiB), so it is kept whole and sent after the file.
        var sealHeader = Encoding.ASCII.GetBytes($"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"seal\"\r\nContent-Type: application/json; charset=utf-8\r\n\r\n");
        _middle = thumbnail is null
            ? sealHeader
            : [
                .. Encoding.ASCII.GetBytes($"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"thumbnail\"; filename=\"thumbnail.hme1\"\r\nContent-Type: application/octet-stream\r\n\r\n"),
                .. thumbnail,
                .. sealHeader,
            ];
        _end = Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n");
        _ciphertextLength = ciphertextLength;
        _sealLength = sealLength;
        _writeCiphertext = writeCiphertext;
        _seal = seal;
        Headers.ContentType = new MediaTypeHeaderValue("multipart/form-data");
        Headers.ContentType.Parameters.Add(new NameValueHeaderValue("boundary", boundary));
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(_prefix, cancellationToken).ConfigureAwait(false);
        byte[] seal;
        using (var hashing = new HashingSink(stream))
        {
            var header = await _writeCiphertext(hashing, cancellationToken).ConfigureAwait(false);
            // The length was promised in Content-Length; a source that grew or shrank while it was read breaks the
            // body before its end, so the server sees an interrupted upload rather than a wrong one.
            if (hashing.BytesWritten != _ciphertextLength)
            {
                throw new HoomiClientException("The file changed while it was being uploaded; try again.");
            }

            seal = _seal(header, hashing.Hash());
        }

        if (seal.Length != _sealLength)
        {
            throw new InvalidOperationException($"The seal part has {seal.Length} bytes, not the {_sealLength} counted.");
        }

        await stream.WriteAsync(_middle, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(seal, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(_end, cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _prefix.Length + _ciphertextLength + _middle.Length + _sealLength + _end.Length;
        return true;
    }
}
