using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Hoomi.Client.Transfer;

/// <summary>
/// The <c>multipart/form-data</c> upload body (part <c>metadata</c>, part <c>file</c>, then optionally part <c>thumbnail</c>), written straight into the
/// request: the ciphertext is produced by <paramref name="writeCiphertext"/> while the socket takes it, so nothing the
/// size of the file is ever buffered. The length is known up front (from the hashing pass), which lets the request go
/// out with a Content-Length rather than chunked.
/// </summary>
internal sealed class EncryptedUploadContent : HttpContent
{
    private readonly byte[] _prefix;
    private readonly byte[] _suffix;
    private readonly long _ciphertextLength;
    private readonly string _ciphertextSha256;
    private readonly Func<Stream, CancellationToken, Task> _writeCiphertext;

    public EncryptedUploadContent(byte[] metadataJson, long ciphertextLength, string ciphertextSha256, Func<Stream, CancellationToken, Task> writeCiphertext, byte[]? thumbnail = null)
    {
        var boundary = "hoomi-" + Guid.NewGuid().ToString("N");
        _prefix = [
            .. Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"),
            .. metadataJson,
            .. Encoding.ASCII.GetBytes($"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file.hme1\"\r\nContent-Type: application/octet-stream\r\n\r\n"),
        ];
        // The thumbnail is small (the server takes at most 256 KiB), so it is kept whole and sent after the file.
        _suffix = thumbnail is null
            ? Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n")
            : [
                .. Encoding.ASCII.GetBytes($"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"thumbnail\"; filename=\"thumbnail.hme1\"\r\nContent-Type: application/octet-stream\r\n\r\n"),
                .. thumbnail,
                .. Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n"),
            ];
        _ciphertextLength = ciphertextLength;
        _ciphertextSha256 = ciphertextSha256;
        _writeCiphertext = writeCiphertext;
        Headers.ContentType = new MediaTypeHeaderValue("multipart/form-data");
        Headers.ContentType.Parameters.Add(new NameValueHeaderValue("boundary", boundary));
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(_prefix, cancellationToken).ConfigureAwait(false);
        using (var check = new HashingSink(stream))
        {
            await _writeCiphertext(check, cancellationToken).ConfigureAwait(false);
            // The source is read twice; if it changed in between, stop before the body is complete so that the server
            // sees a broken upload instead of content that does not match the declared hash.
            if (check.BytesWritten != _ciphertextLength || check.HashHex() != _ciphertextSha256)
            {
                throw new HoomiClientException("The file changed while it was being uploaded; try again.");
            }
        }

        await stream.WriteAsync(_suffix, cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _prefix.Length + _ciphertextLength + _suffix.Length;
        return true;
    }
}
