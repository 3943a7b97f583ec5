using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Hoomi.Client.Api;
using Hoomi.Client.Crypto;
using Hoomi.Client.Trust;

namespace Hoomi.Client;

// Thumbnails, forwarding and device key revocation.
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

    // ---- device key revocation ------------------------------------------------------------------------------

    /// <summary>
    /// Revokes one of the caller's device keys (by default this device's): uploads no longer wrap for it, and the server
    /// refuses to register it again. With <paramref name="forgetLocalKey"/>, revoking this device's key also deletes the
    /// private key from <see cref="Home"/>, so the next use creates a new one.
    /// </summary>
    public async Task RevokeDeviceKeyAsync(string? keyId = null, bool forgetLocalKey = false, CancellationToken cancellationToken = default)
    {
        var own = Home.HasDeviceKey ? DeviceKey.KeyId : null;
        keyId ??= own ?? throw new HoomiClientException($"No device key in {Home.Directory}: name the key id to revoke.");
        using (await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, "me/keys/" + Uri.EscapeDataString(keyId)), true, cancellationToken).ConfigureAwait(false))
        {
        }

        if (_session?.RegisteredKeyId is { } registered && (registered == keyId || registered.StartsWith(keyId + "/", StringComparison.Ordinal)))
        {
            _session = _session with { RegisteredKeyId = null };
            Home.SaveSession(_session);
        }

        if (forgetLocalKey && keyId == own)
        {
            Home.DeleteDeviceKey();
        }
    }
}
