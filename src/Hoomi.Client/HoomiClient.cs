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

/// <summary>
/// The reference client of the Hoomi API: accounts, device keys, hoomis, members, and end-to-end encrypted media.
/// Plaintext and file keys never leave this process; uploads and downloads stream, so memory use does not grow
/// with the file. Tokens and the device key live in <see cref="Home"/>.
/// </summary>
public sealed partial class HoomiClient : IDisposable
{
    private const int MaxUploadAttempts = 4;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    // Range reads of one media item need its size and header every time; both are immutable, so fetch them once.
    private readonly ConcurrentDictionary<Guid, (MediaInfo Info, byte[] Header)> _rangeSources = new();
    private HoomiSession? _session;

    /// <param name="server">The API's base address.</param>
    /// <param name="home">Where the device key and tokens are kept.</param>
    /// <param name="handler">An HTTP handler to send through (tests count bytes with one); the caller keeps ownership.</param>
    public HoomiClient(Uri server, HoomiHome home, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(home);
        Server = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        Home = home;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = Server;
        // Large transfers take as long as they take; callers cancel with their token instead.
        _http.Timeout = Timeout.InfiniteTimeSpan;
        var saved = home.LoadSession();
        // Tokens are only ever sent to the server that issued them.
        _session = saved is not null && saved.Server == Server ? saved : null;
    }

    public Uri Server { get; }

    public HoomiHome Home { get; }

    public bool IsSignedIn => _session is not null;

    public HoomiSession? Session => _session;

    /// <summary>This device's key (created on first use); its <see cref="DeviceKeyPair.KeyId"/> is the fingerprint users compare.</summary>
    public DeviceKeyPair DeviceKey => Home.GetOrCreateDeviceKey();

    // ---- accounts -------------------------------------------------------------------------------------------

    public async Task RegisterAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, "auth/register") { Content = JsonContent.Create(new { email, password }, options: Json) },
            authenticated: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Signs in and keeps the tokens in <see cref="Home"/>.</summary>
    public async Task<UserInfo> LoginAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        var tokens = await SendJsonAsync<TokenResponse>(
            () => new HttpRequestMessage(HttpMethod.Post, "auth/login") { Content = JsonContent.Create(new { email, password }, options: Json) },
            authenticated: false, cancellationToken).ConfigureAwait(false);
        _session = new HoomiSession
        {
            Server = Server,
            UserName = email,
            AccessToken = tokens.AccessToken,
            RefreshToken = tokens.RefreshToken,
            ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(tokens.ExpiresIn),
        };
        var me = await GetMeAsync(cancellationToken).ConfigureAwait(false);
        _session = _session with { UserId = me.UserId, UserName = me.UserName };
        Home.SaveSession(_session);
        return me;
    }

    /// <summary>Forgets the tokens on this device only; they stay valid on the server until they expire (see <see cref="LogoutAsync"/>).</summary>
    public void Logout()
    {
        _session = null;
        Home.ClearSession();
    }

    /// <summary>
    /// Revokes every token of the account on the server (<c>POST /me/logout</c>: all its devices are signed out),
    /// then forgets them here. A session the server no longer accepts (already revoked, 401) or a server without
    /// local accounts (404) is only forgotten. Returns whether the server revoked anything.
    /// </summary>
    public async Task<bool> LogoutAsync(CancellationToken cancellationToken = default)
    {
        if (_session is null)
        {
            return false;
        }

        try
        {
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "me/logout"), true, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HoomiApiException e) when (e.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound)
        {
            return false;
        }
        finally
        {
            Logout();
        }
    }

    /// <summary>Exchanges the refresh token for new tokens (done automatically shortly before expiry and after a 401).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        var current = _session ?? throw NotSignedIn();
        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!ReferenceEquals(current, _session))
            {
                return; // another caller refreshed while this one waited
            }

            var tokens = await SendJsonAsync<TokenResponse>(
                () => new HttpRequestMessage(HttpMethod.Post, "auth/refresh") { Content = JsonContent.Create(new { refreshToken = current.RefreshToken }, options: Json) },
                authenticated: false, cancellationToken).ConfigureAwait(false);
            _session = current with
            {
                AccessToken = tokens.AccessToken,
                RefreshToken = tokens.RefreshToken,
                ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(tokens.ExpiresIn),
            };
            Home.SaveSession(_session);
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    public Task<UserInfo> GetMeAsync(CancellationToken cancellationToken = default) => GetJsonAsync<UserInfo>("me", cancellationToken);

    // ---- device keys ----------------------------------------------------------------------------------------

    /// <summary>Creates this device's keys if needed, certifies them and registers them (idempotent on the server).</summary>
    public Task<DeviceKeyInfo> RegisterDeviceKeyAsync(CancellationToken cancellationToken = default) => RegisterDeviceKeyAsync(newIdentity: false, cancellationToken);

    public async Task<IReadOnlyList<DeviceKeyInfo>> ListMyKeysAsync(CancellationToken cancellationToken = default) =>
        (await GetJsonAsync<ListResult<DeviceKeyInfo>>("me/keys", cancellationToken).ConfigureAwait(false)).Items;

    private async Task EnsureDeviceKeyRegisteredAsync(CancellationToken cancellationToken)
    {
        var identity = Home.GetIdentityKey();
        if (identity is null || _session?.RegisteredKeyId != DeviceKey.KeyId + "/" + identity.Fingerprint)
        {
            await RegisterDeviceKeyAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- hoomis and members ---------------------------------------------------------------------------------

    public Task<HoomiInfo> CreateHoomiAsync(string name, CancellationToken cancellationToken = default) =>
        SendJsonAsync<HoomiInfo>(() => new HttpRequestMessage(HttpMethod.Post, "hoomis") { Content = JsonContent.Create(new { name }, options: Json) }, true, cancellationToken);

    public async Task<IReadOnlyList<HoomiInfo>> ListHoomisAsync(CancellationToken cancellationToken = default) =>
        (await GetJsonAsync<ListResult<HoomiInfo>>("hoomis", cancellationToken).ConfigureAwait(false)).Items;

    public Task<HoomiInfo> GetHoomiAsync(Guid hoomiId, CancellationToken cancellationToken = default) =>
        GetJsonAsync<HoomiInfo>($"hoomis/{hoomiId}", cancellationToken);

    public async Task<IReadOnlyList<HoomiMember>> ListMembersAsync(Guid hoomiId, CancellationToken cancellationToken = default) =>
        (await GetJsonAsync<ListResult<HoomiMember>>($"hoomis/{hoomiId}/members", cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>
    /// Invites an account to a hoomi (owners only); it becomes a member when it accepts (<see cref="AcceptInvitationAsync"/>).
    /// The server answers the same for a name that has no account, so this cannot tell whether anyone was invited.
    /// </summary>
    public async Task AddMemberAsync(Guid hoomiId, string userName, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, $"hoomis/{hoomiId}/members") { Content = JsonContent.Create(new { userName }, options: Json) },
            true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The caller's pending invitations.</summary>
    public async Task<IReadOnlyList<InvitationInfo>> ListInvitationsAsync(CancellationToken cancellationToken = default) =>
        (await GetJsonAsync<ListResult<InvitationInfo>>("me/invitations", cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>Accepts an invitation: from now on the caller is a member of the hoomi.</summary>
    public async Task AcceptInvitationAsync(Guid hoomiId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"me/invitations/{hoomiId}/accept"), true, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeclineInvitationAsync(Guid hoomiId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"me/invitations/{hoomiId}/decline"), true, cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveMemberAsync(Guid hoomiId, Guid userId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"hoomis/{hoomiId}/members/{userId}"), true, cancellationToken).ConfigureAwait(false);
    }

    // ---- media ----------------------------------------------------------------------------------------------

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

    // ---- sharing keys ---------------------------------------------------------------------------------------

    /// <summary>
    /// Wraps the file key of one media item for the member device keys that lack it (members who joined, or devices
    /// registered, after the upload). Returns the number of keys added; 0 when none are missing or when this device
    /// has no key for the item itself.
    /// </summary>
    public async Task<int> ShareKeysAsync(Guid mediaId, CancellationToken cancellationToken = default)
    {
        await EnsureDeviceKeyRegisteredAsync(cancellationToken).ConfigureAwait(false);
        var info = await GetMediaInfoAsync(mediaId, cancellationToken).ConfigureAwait(false);
        var members = await ListMembersAsync(info.HoomiId, cancellationToken).ConfigureAwait(false);
        return await ShareKeysAsync(info, TrustedKeys(members), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <see cref="ShareKeysAsync(Guid, CancellationToken)"/> over every media item of a hoomi.</summary>
    public async Task<ShareKeysSummary> ShareKeysForHoomiAsync(Guid hoomiId, CancellationToken cancellationToken = default)
    {
        await EnsureDeviceKeyRegisteredAsync(cancellationToken).ConfigureAwait(false);
        var members = await ListMembersAsync(hoomiId, cancellationToken).ConfigureAwait(false);
        var trusted = TrustedKeys(members);
        var untrustedDevices = members.Sum(m => m.Keys.Count) - trusted.Count;
        int checkedCount = 0, updated = 0, added = 0, withoutOwnKey = 0, refused = 0;
        await foreach (var media in ListAllMediaAsync(hoomiId, cancellationToken).ConfigureAwait(false))
        {
            checkedCount++;
            if (!media.WrappedKeys.Any(k => k.RecipientKeyId == DeviceKey.KeyId))
            {
                withoutOwnKey++;
                continue;
            }

            int n;
            try
            {
                n = await ShareKeysAsync(media, trusted, cancellationToken).ConfigureAwait(false);
            }
            catch (HoomiTrustException)
            {
                // An item that does not verify is not passed on to anyone.
                refused++;
                continue;
            }

            if (n > 0)
            {
                updated++;
                added += n;
            }
        }

        return new ShareKeysSummary(checkedCount, updated, added, withoutOwnKey) { MediaRefused = refused, DevicesNotTrusted = untrustedDevices };
    }

    /// <summary>The member keys that pass every check; the others get nothing (their owners see why in 'hoomi hoomi members').</summary>
    private Dictionary<string, MemberKey> TrustedKeys(IReadOnlyList<HoomiMember> members) =>
        members.Select(m => DeviceVerifier.CheckMember(m, Trust))
            .SelectMany(t => t.Devices.Where(d => d.Status == DeviceStatus.Valid).Select(d => d.Key))
            .DistinctBy(k => k.KeyId)
            .ToDictionary(k => k.KeyId, StringComparer.Ordinal);

    private async Task<int> ShareKeysAsync(MediaInfo media, Dictionary<string, MemberKey> trusted, CancellationToken cancellationToken)
    {
        if (!media.WrappedKeys.Any(k => k.RecipientKeyId == DeviceKey.KeyId))
        {
            return 0;
        }

        var keys = await GetJsonAsync<MediaKeys>($"media/{media.Id}/keys", cancellationToken).ConfigureAwait(false);
        var missing = keys.MissingRecipientKeyIds.Where(trusted.ContainsKey).ToList();
        if (missing.Count == 0)
        {
            return 0;
        }

        // The item is checked before its key is passed on, so that nothing forged is spread further.
        var fileKey = await OpenFileKeyAsync(media, cancellationToken).ConfigureAwait(false);
        try
        {
            var signerKeyId = DeviceKey.KeyId;
            var contentHash = Convert.FromHexString(media.Sha256);
            var wrapped = WrapFor(missing.Select(id => trusted[id]), fileKey, media.Id).Select(w => w with
            {
                SignerKeyId = signerKeyId,
                Signature = Base64Url.Encode(SigningKey.Sign(SignedMessages.Share(media.HoomiId, media.Id, contentHash, ToSigned([w])[0]))),
            }).ToList();
            using var response = await SendAsync(
                () => new HttpRequestMessage(HttpMethod.Post, $"media/{media.Id}/keys") { Content = JsonContent.Create(new { wrappedKeys = wrapped }, options: Json) },
                true, cancellationToken).ConfigureAwait(false);
            return wrapped.Count;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    // ---- live events ----------------------------------------------------------------------------------------

    // ---- plumbing -------------------------------------------------------------------------------------------

    /// <summary>A hub connection that reconnects after network failures (by SignalR's default schedule, or <paramref name="retryPolicy"/>).</summary>
    private HubConnection BuildHubConnection(IRetryPolicy? retryPolicy)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(Server, "hubs/media"), o => o.AccessTokenProvider = async () =>
            {
                await EnsureFreshTokenAsync(CancellationToken.None).ConfigureAwait(false);
                return _session?.AccessToken;
            });
        return (retryPolicy is null ? builder.WithAutomaticReconnect() : builder.WithAutomaticReconnect(retryPolicy)).Build();
    }

    private async Task<T> GetJsonAsync<T>(string path, CancellationToken cancellationToken) =>
        await SendJsonAsync<T>(() => new HttpRequestMessage(HttpMethod.Get, path), true, cancellationToken).ConfigureAwait(false);

    private async Task<T> SendJsonAsync<T>(Func<HttpRequestMessage> create, bool authenticated, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(create, authenticated, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false)
            ?? throw new HoomiClientException($"The server answered {response.RequestMessage?.RequestUri} with an empty body.");
    }

    /// <summary>Sends with the bearer token, refreshing it first when it is about to expire and once more after a 401.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, bool authenticated, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        if (authenticated)
        {
            await EnsureFreshTokenAsync(cancellationToken).ConfigureAwait(false);
        }

        for (var attempt = 1; ; attempt++)
        {
            var token = _session?.AccessToken;
            HttpResponseMessage response;
            using (var request = create())
            {
                if (authenticated)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }

                response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                if (authenticated && attempt == 1 && response.StatusCode == HttpStatusCode.Unauthorized && _session is not null)
                {
                    if (_session.AccessToken == token)
                    {
                        await RefreshAsync(cancellationToken).ConfigureAwait(false);
                    }

                    continue;
                }

                throw await HoomiApiException.FromResponseAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task EnsureFreshTokenAsync(CancellationToken cancellationToken)
    {
        var session = _session ?? throw NotSignedIn();
        if (session.ExpiresAt - DateTimeOffset.UtcNow < RefreshMargin)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private HoomiClientException NotSignedIn() => new($"Not signed in to {Server}: log in first.");

    public void Dispose()
    {
        _http.Dispose();
        _refreshLock.Dispose();
    }
}
