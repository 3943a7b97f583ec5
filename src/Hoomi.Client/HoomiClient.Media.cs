using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hoomi.Client.Api;
using Hoomi.Client.Crypto;
using Hoomi.Client.Storage;
using Hoomi.Client.Transfer;
using Hoomi.Client.Trust;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hoomi.Client;

// Media: upload, list, download (whole or a range), thumbnails, forwarding.
public sealed partial class HoomiClient
{
    /// <summary>Upper bound on a thumbnail's ciphertext that a download accepts (the server's default limit is 256 KiB).</summary>
    private const int MaxThumbnailCiphertext = 16 * 1024 * 1024;

    // ---- thumbnails -----------------------------------------------------------------------------------------

    private static async Task<byte[]?> EncryptThumbnailAsync(UploadOptions options, byte[] fileKey, CancellationToken cancellationToken)
    {
        if (options.Thumbnail is not null && options.ThumbnailStream is not null)
        {
            throw new ArgumentException("Give the thumbnail as bytes or as a stream, not both.", nameof(options));
        }

        ReadOnlyMemory<byte> plaintext;
        if (options.ThumbnailStream is { } stream)
        {
            // Read one byte beyond the limit to tell "exactly at the limit" from "too large" without trusting Length.
            var buffer = new byte[UploadOptions.MaxThumbnailBytes + 1];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += n;
            }

            plaintext = buffer.AsMemory(0, read);
        }
        else if (options.Thumbnail is { Length: > 0 } bytes)
        {
            // An empty one is none: a byte[]-typed null converts to an empty ReadOnlyMemory, not to a null one.
            plaintext = bytes;
        }
        else
        {
            return null;
        }

        if (plaintext.Length > UploadOptions.MaxThumbnailBytes)
        {
            throw new HoomiClientException($"A thumbnail is at most {UploadOptions.MaxThumbnailBytes} bytes (256 KiB once encrypted).");
        }

        // Never compressed: thumbnails are images. A fresh salt gives the stream its own keys under the same K.
        return Hme1.Encrypt(plaintext.Span, fileKey, Hme1Purpose.Thumbnail, new Hme1WriterOptions { Compress = false, Version = Hme1Format.Version2, Pad = options.Pad });
    }

    /// <summary>Downloads and decrypts a media item's thumbnail (purpose <c>thumbnail</c>, same file key as the content).</summary>
    public async Task<byte[]> DownloadThumbnailAsync(Guid mediaId, CancellationToken cancellationToken = default)
    {
        var info = await GetMediaInfoAsync(mediaId, cancellationToken).ConfigureAwait(false);
        if (!info.HasThumbnail)
        {
            throw new HoomiClientException($"Media {mediaId} has no thumbnail.");
        }

        var fileKey = await OpenFileKeyAsync(info, cancellationToken).ConfigureAwait(false);
        try
        {
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"media/{mediaId}/thumbnail"), true, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            if (response.Content.Headers.ContentLength is not { } length || length > MaxThumbnailCiphertext)
            {
                throw new HoomiClientException("The server sent a thumbnail without a length, or one far larger than any thumbnail.");
            }

            var ciphertext = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (ciphertext.Length != length)
            {
                throw new HoomiClientException("The thumbnail's body does not match its Content-Length.");
            }

            if (info.Signature is not null && Convert.ToHexStringLower(SHA256.HashData(ciphertext)) != info.ThumbnailSha256)
            {
                throw new HoomiTrustException(TrustFailure.ContentMismatch, "The thumbnail is not the one its sender signed: refused.");
            }

            return Hme1.Decrypt(ciphertext, fileKey, Hme1Purpose.Thumbnail);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    /// <summary>Writes the decrypted thumbnail to <paramref name="destination"/> and returns its length.</summary>
    public async Task<int> DownloadThumbnailAsync(Guid mediaId, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var plaintext = await DownloadThumbnailAsync(mediaId, cancellationToken).ConfigureAwait(false);
        await destination.WriteAsync(plaintext, cancellationToken).ConfigureAwait(false);
        return plaintext.Length;
    }

    // ---- forwarding -----------------------------------------------------------------------------------------

    /// <summary>
    /// Forwards a media item to another hoomi (e2ee.md, "Forwarding"): the new item gets its own media id and shares the
    /// blob; the file key is unwrapped here and wrapped again for every current member key of the target with the new id
    /// as aad, and the metadata is re-encrypted with the new id. The caller must be a member of both hoomis and hold a key
    /// for the item. When the target's keys change in between (409), the keys are wrapped again and the request repeated.
    /// </summary>
    public async Task<MediaInfo> ForwardAsync(Guid mediaId, Guid targetHoomiId, CancellationToken cancellationToken = default)
    {
        await EnsureDeviceKeyRegisteredAsync(cancellationToken).ConfigureAwait(false);
        var source = await GetMediaInfoAsync(mediaId, cancellationToken).ConfigureAwait(false);
        var newId = Guid.CreateVersion7();
        // Only a verified item is passed on; the forwarder then signs the new item as its sender.
        var fileKey = await OpenFileKeyAsync(source, cancellationToken).ConfigureAwait(false);
        try
        {
            if (source.Signature is null || source.Header is null || source.EncryptedMetadata is null)
            {
                throw new HoomiClientException($"Media {mediaId} is an unsigned hoomi-e2ee-1 item: download it and upload it again to send it signed.");
            }

            var metadataBytes = ReencryptMetadata(fileKey, source.Id, newId, Base64Url.Decode(source.EncryptedMetadata));
            var metadata = Base64Url.Encode(metadataBytes);
            var header = Base64Url.Decode(source.Header);
            for (var attempt = 1; ; attempt++)
            {
                var members = await ListMembersAsync(targetHoomiId, cancellationToken).ConfigureAwait(false);
                var wraps = WrapFor(DeviceVerifier.RequireRecipients(members, Trust), fileKey, newId);
                var signature = SignItem(Statement(source, targetHoomiId, newId, DeviceKey.KeyId, header, metadataBytes, ToSigned(wraps)));
                var request = new ForwardRequestJson(targetHoomiId, newId.ToString("D"), metadata, wraps, DeviceKey.KeyId, signature);
                try
                {
                    return await SendJsonAsync<MediaInfo>(
                        () => new HttpRequestMessage(HttpMethod.Post, $"media/{mediaId}/forward") { Content = JsonContent.Create(request, options: Json) },
                        true, cancellationToken).ConfigureAwait(false);
                }
                catch (HoomiApiException e) when (e.StatusCode == HttpStatusCode.Conflict && e.Is("wrapped-keys-out-of-date") && attempt < MaxUploadAttempts)
                {
                    // A member joined the target or registered a device since its member list was read.
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    /// <summary>
    /// Decrypts encrypted metadata bound to one media id and encrypts the same JSON bytes (members this client does not
    /// know included) under a fresh nonce, bound to another id.
    /// </summary>
    internal static byte[] ReencryptMetadata(byte[] fileKey, Guid fromMediaId, Guid toMediaId, byte[] encrypted)
    {
        const int nonce = EncryptedMetadata.NonceLength, tag = EncryptedMetadata.TagLength;
        if (encrypted.Length < nonce + tag || encrypted.Length > EncryptedMetadata.MaxLength)
        {
            throw new CryptographicException("The encrypted metadata has an impossible length.");
        }

        var jsonLength = encrypted.Length - nonce - tag;
        var key = EncryptedMetadata.MetadataKey(fileKey);
        var json = new byte[jsonLength];
        try
        {
            using var aes = new AesGcm(key, tag);
            aes.Decrypt(encrypted.AsSpan(0, nonce), encrypted.AsSpan(nonce, jsonLength), encrypted.AsSpan(nonce + jsonLength), json, FileKeyWrapper.MediaIdAad(fromMediaId));
            var output = new byte[encrypted.Length];
            RandomNumberGenerator.Fill(output.AsSpan(0, nonce));
            aes.Encrypt(output.AsSpan(0, nonce), json, output.AsSpan(nonce, jsonLength), output.AsSpan(nonce + jsonLength), FileKeyWrapper.MediaIdAad(toMediaId));
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(json);
        }
    }

    // ---- upload, list, download ----------------------------------------------------------------------------

    /// <summary>Encrypts and uploads a file; the name sent (encrypted) is the file's own name unless options say otherwise.</summary>
    public async Task<MediaInfo> UploadFileAsync(Guid hoomiId, string path, UploadOptions? options = null, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new UploadOptions(Path.GetFileName(path), MimeTypes.FromFileName(path));
        var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, Options = FileOptions.Asynchronous | FileOptions.SequentialScan });
        await using (file.ConfigureAwait(false))
        {
            return await UploadAsync(hoomiId, file, options, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Encrypts <paramref name="content"/> (from its current position to its end) and uploads it to a hoomi, with the
    /// file key wrapped for every current member device key. One pass: the ciphertext's size follows from the
    /// plaintext's (hoomi-e2ee-2 is length-preserving up to padding and tags), so the request goes out with a
    /// Content-Length, and the ciphertext's SHA-256 and the item signature over it follow the ciphertext in a final
    /// <c>seal</c> part. A text-like file that is compressed is read once more first, only to count its Brotli length
    /// (the header seals it). The stream must be seekable so that a retry can start again: when the members' keys
    /// change (409), the keys are wrapped for the new set and the upload is retried with the same media id.
    /// </summary>
    public async Task<MediaInfo> UploadAsync(Guid hoomiId, Stream content, UploadOptions options, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(options);
        if (!content.CanRead || !content.CanSeek)
        {
            throw new ArgumentException("Uploads start again from the beginning when retried, so the stream must be readable and seekable.", nameof(content));
        }

        await EnsureDeviceKeyRegisteredAsync(cancellationToken).ConfigureAwait(false);
        var start = content.Position;
        var plaintextLength = content.Length - start;
        var mediaId = options.MediaId ?? Guid.CreateVersion7();
        var fileKey = RandomNumberGenerator.GetBytes(FileKeyWrapper.FileKeyLength);
        try
        {
            var compress = options.Compress ?? CompressionPolicy.ShouldCompress(options.MimeType);
            var sealedLength = compress ? await CompressedLengthAsync(content, start, cancellationToken).ConfigureAwait(false) : plaintextLength;
            var writer = new Hme1WriterOptions
            {
                Compress = compress,
                Salt = RandomNumberGenerator.GetBytes(Hme1Format.SaltLength),
                LeaveOpen = true,
                Version = Hme1Format.Version2,
                Pad = options.Pad,
                // The sealed length goes in the header, before the first segment: a compressed stream is counted first.
                PlaintextLength = sealedLength,
                Parallelism = SegmentParallelism,
            };
            var size = Hme1Format.CiphertextLengthV2(sealedLength, 1 << writer.Log2SegmentSize, writer.Pad);

            var encryptedMetadataBytes = EncryptedMetadata.Encrypt(fileKey, mediaId, new MediaMetadata(
                options.Name, options.MimeType, plaintextLength, options.Width, options.Height, options.DurationMs), pad: true);
            var encryptedMetadata = Base64Url.Encode(encryptedMetadataBytes);
            var thumbnail = await EncryptThumbnailAsync(options, fileKey, cancellationToken).ConfigureAwait(false);
            var thumbnailHash = thumbnail is null ? null : SHA256.HashData(thumbnail);
            var thumbnailJson = thumbnail is null ? null : new UploadThumbnailJson(thumbnail.Length, Convert.ToHexStringLower(thumbnailHash!));
            string senderKeyId = DeviceKey.KeyId;

            for (var attempt = 1; ; attempt++)
            {
                var members = await ListMembersAsync(hoomiId, cancellationToken).ConfigureAwait(false);
                // Every key is checked (fingerprint, identity signature, pinned identity) before the file key is wrapped for it.
                var wraps = WrapFor(DeviceVerifier.RequireRecipients(members, Trust), fileKey, mediaId);
                var signedWraps = ToSigned(wraps);
                var metadata = JsonSerializer.SerializeToUtf8Bytes(new UploadMetadataJson(
                    mediaId.ToString("D"), options.MimeType, size, null, options.Width, options.Height, options.DurationMs, encryptedMetadata,
                    thumbnailJson, wraps, senderKeyId, null, TrailingSeal: true), Json);
                byte[] Seal(byte[] header, byte[] sha256) => JsonSerializer.SerializeToUtf8Bytes(new UploadSealJson(
                    Convert.ToHexStringLower(sha256),
                    SignItem(new ItemStatement(hoomiId, mediaId, senderKeyId, header, sha256, size, encryptedMetadataBytes,
                        thumbnailHash, thumbnail?.Length, options.MimeType, signedWraps))), Json);
                try
                {
                    return await SendJsonAsync<MediaInfo>(
                        () => new HttpRequestMessage(HttpMethod.Post, $"hoomis/{hoomiId}/media")
                        {
                            Content = new EncryptedUploadContent(metadata, size, async (output, ct) => await EncryptAsync(
                                content, start, output, fileKey, writer, n => progress?.Report(new TransferProgress("uploading", n, plaintextLength)), ct).ConfigureAwait(false),
                                thumbnail, Seal, UploadSealLength(signed: true)),
                        },
                        true, cancellationToken).ConfigureAwait(false);
                }
                catch (HoomiApiException e) when (e.StatusCode == HttpStatusCode.Conflict && e.Is("wrapped-keys-out-of-date") && attempt < MaxUploadAttempts)
                {
                    // A member joined or registered a device since the member list was read: wrap for the new set.
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    /// <summary>The seal part's JSON is of fixed length (64 hex digits, an 86-character signature), so the body's length is known first.</summary>
    private static int UploadSealLength(bool signed) => JsonSerializer.SerializeToUtf8Bytes(
        new UploadSealJson(new string('0', 64), signed ? new string('A', 86) : null), Json).Length;

    private static async Task<long> CompressedLengthAsync(Stream source, long start, CancellationToken cancellationToken)
    {
        source.Position = start;
        return await Hme1.CompressedLengthAsync(source, System.IO.Compression.CompressionLevel.Optimal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Encrypts the source into <paramref name="output"/> and returns the stream's header (what the item signature covers).</summary>
    private static async Task<byte[]> EncryptAsync(Stream source, long start, Stream output, byte[] fileKey, Hme1WriterOptions writer, Action<long> onRead, CancellationToken cancellationToken)
    {
        source.Position = start;
        var encrypting = new Hme1EncryptingStream(output, fileKey, Hme1Purpose.Content, writer);
        await using (encrypting.ConfigureAwait(false))
        {
            using var observed = new ObservedReadStream(source, onRead);
            // Brotli's output depends on how its input is cut (its length was counted in 64 KiB writes); without it, 1 MiB
            // writes let the segments be sealed straight from the read buffer.
            await Hme1.CopyInChunksAsync(observed, encrypting, writer.Compress ? 1 << 16 : 1 << 20, cancellationToken).ConfigureAwait(false);
            await encrypting.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return encrypting.Header.Bytes.ToArray();
        }
    }

    public Task<MediaPage> ListMediaAsync(Guid hoomiId, string? cursor = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (cursor is not null)
        {
            query.Add("cursor=" + Uri.EscapeDataString(cursor));
        }

        if (limit is not null)
        {
            query.Add("limit=" + limit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return GetJsonAsync<MediaPage>($"hoomis/{hoomiId}/media" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), cancellationToken);
    }

    /// <summary>Every media item of a hoomi, newest first, following the cursor page by page.</summary>
    public async IAsyncEnumerable<MediaInfo> ListAllMediaAsync(Guid hoomiId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? cursor = null;
        do
        {
            var page = await ListMediaAsync(hoomiId, cursor, null, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>The media item's DTO as the server sends it (not yet verified: <see cref="VerifySender"/> does that).</summary>
    public async Task<MediaInfo> GetMediaInfoAsync(Guid mediaId, CancellationToken cancellationToken = default)
    {
        var info = await GetJsonAsync<MediaInfo>($"media/{mediaId}/info", cancellationToken).ConfigureAwait(false);
        return info.Id == mediaId ? info : throw new HoomiTrustException(TrustFailure.SenderMismatch, $"Asked for media {mediaId}, the server answered with {info.Id}.");
    }

    /// <summary>
    /// The decrypted metadata (file name, type, original size), or null when the uploader sent none; the item's signature
    /// and this device's wrap are checked first (<see cref="HoomiTrustException"/>).
    /// </summary>
    public MediaMetadata? DecryptMetadata(MediaInfo media)
    {
        ArgumentNullException.ThrowIfNull(media);
        var fileKey = OpenFileKey(media);
        if (media.EncryptedMetadata is null)
        {
            CryptographicOperations.ZeroMemory(fileKey);
            return null;
        }

        try
        {
            return EncryptedMetadata.Decrypt(fileKey, media.Id, Base64Url.Decode(media.EncryptedMetadata));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    public async Task DeleteMediaAsync(Guid mediaId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"media/{mediaId}"), true, cancellationToken).ConfigureAwait(false);
        _rangeSources.TryRemove(mediaId, out _);
    }

    /// <summary>
    /// Downloads and decrypts a whole media item into <paramref name="destination"/>, checking every segment, the
    /// length and the ciphertext's SHA-256. On failure the destination may hold a verified prefix: callers discard it.
    /// </summary>
    public async Task<DownloadResult> DownloadAsync(Guid mediaId, Stream destination, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var info = await GetMediaInfoAsync(mediaId, cancellationToken).ConfigureAwait(false);
        await DecryptWholeAsync(info, destination, progress, cancellationToken).ConfigureAwait(false);
        return new DownloadResult(info, DecryptMetadata(info), VerifySender(info));
    }

    private async Task DecryptWholeAsync(MediaInfo info, Stream destination, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var fileKey = await OpenFileKeyAsync(info, cancellationToken).ConfigureAwait(false);
        try
        {
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"media/{info.Id}"), true, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                // The bytes must begin with the header the sender signed: checked before the decryptor reads past it.
                using var observed = new ObservedReadStream(body, n => progress?.Report(new TransferProgress("downloading", n, info.Size)), hash: true,
                    expectedPrefix: info.Signature is null ? null : Base64Url.Decode(info.Header!));
                var decrypting = new Hme1DecryptingStream(observed, fileKey, Hme1Purpose.Content, info.Size, leaveOpen: true, SegmentParallelism);
                await using (decrypting.ConfigureAwait(false))
                {
                    // 1 MiB reads: whole batches of segments are opened straight into the copy buffer.
                    await decrypting.CopyToAsync(destination, 1 << 20, cancellationToken).ConfigureAwait(false);
                }

                // The reader already refuses a short or long stream; the hash ties the bytes to what the uploader declared.
                if (observed.BytesRead != info.Size || observed.HashHex() != info.Sha256)
                {
                    throw new HoomiTrustException(TrustFailure.ContentMismatch, "The downloaded ciphertext does not match the size and SHA-256 its sender signed: refused.");
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    /// <summary>
    /// Writes plaintext bytes [<paramref name="offset"/>, offset + <paramref name="count"/>) (to the end when count is
    /// null) into <paramref name="destination"/> and returns how many were written. For an uncompressed item this is one
    /// HTTP Range request for the covering segments (plus, the first time, one for the 72-byte header); a compressed
    /// item cannot be entered in the middle, so it is decrypted whole and sliced.
    /// </summary>
    public async Task<long> DownloadRangeAsync(Guid mediaId, long offset, long? count, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var (info, header) = await GetRangeSourceAsync(mediaId, cancellationToken).ConfigureAwait(false);
        var fileKey = await OpenFileKeyAsync(info, cancellationToken).ConfigureAwait(false);
        try
        {
            if (Hme1Format.ParseHeader(header).IsCompressed)
            {
                var slice = new SliceWriteStream(destination, offset, count ?? long.MaxValue - offset);
                await DecryptWholeAsync(info, slice, null, cancellationToken).ConfigureAwait(false);
                var end = count is { } c ? offset + c : slice.Position;
                if (end > slice.Position || offset > slice.Position)
                {
                    throw new ArgumentOutOfRangeException(nameof(count), $"The media has {slice.Position} bytes; the range ends beyond them.");
                }

                return end - offset;
            }

            using var decryptor = new Hme1SeekableDecryptor(fileKey, Hme1Purpose.Content, header, info.Size);
            var length = count ?? decryptor.PlaintextLength - offset;
            if (offset + length > decryptor.PlaintextLength || length < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(count), $"The media has {decryptor.PlaintextLength} bytes; the range ends beyond them.");
            }

            if (length == 0)
            {
                return 0;
            }

            var range = decryptor.GetRange(offset, length);
            using var response = await GetRangeAsync(mediaId, range.CiphertextOffset, range.CiphertextLength, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                await DecryptSegmentsAsync(decryptor, range, body, offset, length, destination, cancellationToken).ConfigureAwait(false);
            }

            return length;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    // One segment at a time, so a range of gigabytes needs no more memory than a range of a few bytes.
    private static async Task DecryptSegmentsAsync(Hme1SeekableDecryptor decryptor, Hme1SegmentRange range, Stream body, long offset, long length, Stream destination, CancellationToken cancellationToken)
    {
        var segmentSize = decryptor.SegmentSize;
        var stride = segmentSize + Hme1Format.TagLength;
        var cipher = new byte[stride];
        var plain = new byte[segmentSize];
        try
        {
            var remaining = range.CiphertextLength;
            for (var i = 0L; i < range.SegmentCount; i++)
            {
                var segmentLength = (int)Math.Min(stride, remaining);
                await body.ReadExactlyAsync(cipher.AsMemory(0, segmentLength), cancellationToken).ConfigureAwait(false);
                remaining -= segmentLength;
                var index = range.FirstSegment + i;
                var segment = new Hme1SegmentRange(index, 1, range.CiphertextOffset + (i * stride), segmentLength, index * segmentSize, range.IncludesLastSegment && i == range.SegmentCount - 1);
                var written = decryptor.DecryptSegments(segment, cipher.AsSpan(0, segmentLength), plain);
                var from = Math.Max(offset, segment.PlaintextOffset);
                var to = Math.Min(offset + length, segment.PlaintextOffset + written);
                if (to > from)
                {
                    await destination.WriteAsync(plain.AsMemory((int)(from - segment.PlaintextOffset), (int)(to - from)), cancellationToken).ConfigureAwait(false);
                }
            }

            if (await body.ReadAsync(cipher.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0)
            {
                throw new HoomiClientException("The server sent more bytes than the requested range.");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private async Task<(MediaInfo Info, byte[] Header)> GetRangeSourceAsync(Guid mediaId, CancellationToken cancellationToken)
    {
        if (_rangeSources.TryGetValue(mediaId, out var cached))
        {
            return cached;
        }

        var info = await GetMediaInfoAsync(mediaId, cancellationToken).ConfigureAwait(false);
        var sender = VerifySender(info);
        if (sender.IsSigned)
        {
            // The signed header: segments that do not belong to it fail their authentication.
            return _rangeSources[mediaId] = (info, Base64Url.Decode(info.Header!));
        }

        using var response = await GetRangeAsync(mediaId, 0, Hme1Format.HeaderLength, cancellationToken).ConfigureAwait(false);
        var header = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (header.Length != Hme1Format.HeaderLength)
        {
            throw new HoomiClientException("The server did not return the 72-byte header.");
        }

        return _rangeSources[mediaId] = (info, header);
    }

    private async Task<HttpResponseMessage> GetRangeAsync(Guid mediaId, long from, long length, CancellationToken cancellationToken)
    {
        var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"media/{mediaId}");
            request.Headers.Range = new RangeHeaderValue(from, from + length - 1);
            return request;
        }, true, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        // A server that ignores Range answers 200 with the whole file: reading it would silently cost the whole download.
        if (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentRange?.From != from || response.Content.Headers.ContentLength != length)
        {
            response.Dispose();
            throw new HoomiClientException($"The server did not answer the range request for bytes {from}-{from + length - 1} with exactly that range.");
        }

        return response;
    }
}
