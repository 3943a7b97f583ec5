using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Hoomi.Client.Api;
using Hoomi.Client.Crypto;
using Hoomi.Client.Trust;

namespace Hoomi.Client;

// hoomi-e2ee-2 (docs/e2ee.md): the identity key, device certificates, pinned identities, safety numbers, and the
// checks of every item and wrap before anything is shown or saved.
public sealed partial class HoomiClient
{
    private TrustStore? _trust;

    // A download verifies its DTO when it opens the file key, decrypts the metadata and names the sender: the signature
    // checks run once per DTO instance (signed results only, so AllowUnsigned is always asked afresh).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<MediaInfo, MediaSender> _verified = new();

    /// <summary>The identities this device pinned (trust on first use) or verified.</summary>
    public TrustStore Trust => _trust ??= new TrustStore(Home);

    /// <summary>
    /// Read unsigned (hoomi-e2ee-1) items. Off by default: the server could make an unsigned item itself, so an unsigned
    /// item says nothing about who sent it.
    /// </summary>
    public bool AllowUnsigned { get; set; }

    /// <summary>This device's signing key (created on first use), certified by the identity key at registration.</summary>
    public SigningKeyPair SigningKey => Home.GetOrCreateSigningKey();

    // ---- identity ---------------------------------------------------------------------------------------------

    /// <summary>The identity key as a password-encrypted PKCS#8 file, to import on another device of the same person.</summary>
    public byte[] ExportIdentity(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var identity = Home.GetIdentityKey() ?? throw new HoomiClientException($"No identity key in {Home.Directory}: 'hoomi keys init' creates one.");
        return identity.ExportEncryptedPkcs8(password);
    }

    /// <summary>Imports the identity key exported on another device, then pins it as this user's own.</summary>
    public SigningKeyPair ImportIdentity(byte[] encryptedPkcs8, string password)
    {
        ArgumentNullException.ThrowIfNull(encryptedPkcs8);
        SigningKeyPair key;
        try
        {
            key = SigningKeyPair.ImportEncryptedPkcs8(password, encryptedPkcs8);
        }
        catch (CryptographicException e)
        {
            throw new HoomiClientException("The identity file does not open with that password (or is not an identity export).", e);
        }

        Home.SaveIdentityKey(key);
        if (_session?.UserId is { } me)
        {
            Trust.Accept(me, _session.UserName, key.PublicKeyBase64Url);
        }

        return key;
    }

    /// <summary>
    /// Creates this device's keys if needed, certifies them with the identity key and registers them (idempotent on the
    /// server). Without an identity key here, one is created — unless the account already has certified devices, whose
    /// identity key must then be imported (<see cref="ImportIdentity"/>) or deliberately replaced (<paramref name="newIdentity"/>),
    /// which every other member will see as a changed identity.
    /// </summary>
    public async Task<DeviceKeyInfo> RegisterDeviceKeyAsync(bool newIdentity, CancellationToken cancellationToken = default)
    {
        var session = _session ?? throw NotSignedIn();
        var me = session.UserId ?? (await GetMeAsync(cancellationToken).ConfigureAwait(false)).UserId;
        var identity = Home.GetIdentityKey();
        if (identity is null || newIdentity)
        {
            if (!newIdentity)
            {
                var existing = (await ListMyKeysAsync(cancellationToken).ConfigureAwait(false))
                    .FirstOrDefault(k => k.RevokedAt is null && k.IdentityKey is not null && k.KeyId != DeviceKey.KeyId);
                if (existing is not null)
                {
                    throw new HoomiClientException(
                        $"This account already has an identity key ({KeyId.Of(Base64Url.Decode(existing.IdentityKey!, 65))}) on another device. " +
                        "Export it there ('hoomi identity export FILE') and import it here ('hoomi identity import FILE'), " +
                        "or start a new identity with --new-identity (the other members will see your identity as changed).");
                }
            }

            identity = SigningKeyPair.Generate();
            Home.SaveIdentityKey(identity);
        }

        Trust.Accept(me, session.UserName, identity.PublicKeyBase64Url);
        var key = DeviceKey;
        var signing = SigningKey;
        var signature = identity.Sign(SignedMessages.DeviceCertificate(me, key.PublicKey.Span, signing.PublicKey.Span));
        var info = await SendJsonAsync<DeviceKeyInfo>(
            () => new HttpRequestMessage(HttpMethod.Put, "me/keys/" + key.KeyId)
            {
                Content = JsonContent.Create(new
                {
                    publicKey = key.PublicKeyBase64Url,
                    signingKey = signing.PublicKeyBase64Url,
                    identityKey = identity.PublicKeyBase64Url,
                    signature = Base64Url.Encode(signature),
                }, options: Json),
            },
            authenticated: true, cancellationToken).ConfigureAwait(false);
        if (_session is not null)
        {
            _session = _session with { RegisteredKeyId = key.KeyId + "/" + identity.Fingerprint };
            Home.SaveSession(_session);
        }

        return info;
    }

    /// <summary>The members of a hoomi, each with the trust in their identity and the check of each device.</summary>
    public async Task<IReadOnlyList<MemberTrust>> CheckMembersAsync(Guid hoomiId, CancellationToken cancellationToken = default)
    {
        var members = await ListMembersAsync(hoomiId, cancellationToken).ConfigureAwait(false);
        return [.. members.Select(m => DeviceVerifier.CheckMember(m, Trust))];
    }

    /// <summary>
    /// Finds a person by user name (or id) among the members of the caller's hoomis and returns the safety number of the
    /// caller's identity and theirs, as the server shows it now, with the trust this device has in it.
    /// </summary>
    public async Task<SafetyNumberInfo> GetSafetyNumberAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var session = _session ?? throw NotSignedIn();
        var identity = Home.GetIdentityKey() ?? throw new HoomiClientException($"No identity key in {Home.Directory}: 'hoomi keys init' creates one.");
        var me = session.UserId ?? (await GetMeAsync(cancellationToken).ConfigureAwait(false)).UserId;
        foreach (var hoomi in await ListHoomisAsync(cancellationToken).ConfigureAwait(false))
        {
            var members = await ListMembersAsync(hoomi.Id, cancellationToken).ConfigureAwait(false);
            var member = members.FirstOrDefault(m => string.Equals(m.UserName, user, StringComparison.OrdinalIgnoreCase) || m.UserId.ToString() == user);
            if (member is null)
            {
                continue;
            }

            var check = DeviceVerifier.CheckMember(member, Trust);
            var shown = member.Keys
                .Where(k => DeviceVerifier.CheckCertificate(member.UserId, k.KeyId, k.PublicKey, k.SigningKey, k.IdentityKey, k.Signature) == DeviceStatus.Valid)
                .Select(k => k.IdentityKey!)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            if (shown.Count == 0)
            {
                throw new HoomiClientException($"{member.UserName} has no device certified by an identity key yet.");
            }

            var pinned = Trust.Get(member.UserId);
            // With a changed identity the new key is the one to compare (and accept); otherwise the pinned one.
            var current = shown.FirstOrDefault(k => k != pinned?.IdentityKey) is { } changed && check.Identity == IdentityTrust.Changed ? changed : pinned?.IdentityKey ?? shown[0];
            var number = SafetyNumber.Compute(me, identity.PublicKey.Span, member.UserId, Base64Url.Decode(current, 65));
            return new SafetyNumberInfo(member.UserId, member.UserName, current, KeyId.Of(Base64Url.Decode(current, 65)), number, check.Identity ?? IdentityTrust.New);
        }

        throw new HoomiClientException($"No member named {user} in your hoomis.");
    }

    /// <summary>
    /// Marks the person's identity key (as <see cref="GetSafetyNumberAsync"/> found it) verified. A changed identity is
    /// only taken with <paramref name="acceptChanged"/>.
    /// </summary>
    public void MarkVerified(SafetyNumberInfo info, bool acceptChanged)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.Trust == IdentityTrust.Changed && !acceptChanged)
        {
            throw new HoomiTrustException(TrustFailure.IdentityChanged, $"{info.UserName}'s identity key changed: compare the new safety number, then accept it (--accept).", info.UserName);
        }

        Trust.Accept(info.UserId, info.UserName, info.IdentityKey);
    }

    // ---- checking items ----------------------------------------------------------------------------------------

    /// <summary>
    /// Checks a media item's signature against the sender's certified device and pinned identity (without downloading
    /// anything: the DTO carries the signed header, hashes and wraps). Throws <see cref="HoomiTrustException"/>, or for an
    /// unsigned item returns an unsigned sender when <see cref="AllowUnsigned"/> is set.
    /// </summary>
    public MediaSender VerifySender(MediaInfo media)
    {
        ArgumentNullException.ThrowIfNull(media);
        if (_verified.TryGetValue(media, out var known))
        {
            return known;
        }

        var sender = CheckSender(media);
        if (sender.IsSigned)
        {
            _verified.AddOrUpdate(media, sender);
        }

        return sender;
    }

    private MediaSender CheckSender(MediaInfo media)
    {
        var header = media.Header is null ? null : Base64Url.Decode(media.Header);
        if (media.Signature is null || media.SenderKeyId is null)
        {
            if (header is { Length: > 4 } && header[4] >= Hme1Format.Version2)
            {
                throw new HoomiTrustException(TrustFailure.UnsignedItem, $"Media {media.Id} is a hoomi-e2ee-2 item without a signature: refused.");
            }

            if (!AllowUnsigned)
            {
                throw new HoomiTrustException(TrustFailure.UnsignedItem, $"Media {media.Id} is unsigned (hoomi-e2ee-1): nothing says who sent it. Allow unsigned items to read it anyway.");
            }

            return new MediaSender(media.UploaderId, Trust.Get(media.UploaderId)?.UserName, null, null, IsSigned: false);
        }

        var (trust, signingKey) = DeviceVerifier.RequireCertificate(media.SenderDevice, media.UploaderId, media.SenderKeyId, Trust, "sender");
        var who = Trust.Get(media.UploaderId)?.UserName ?? media.UploaderId.ToString();
        if (header is null || media.EncryptedMetadata is null || media.UploadWraps is null || !Base64Url.TryDecode(media.Signature, out var signature)
            || media.HasThumbnail != (media.ThumbnailSha256 is not null) || !MediaItemShapeOk(media))
        {
            throw new HoomiTrustException(TrustFailure.BadItemSignature, $"Media {media.Id} lacks what its signature covers (header, metadata, wraps or thumbnail hash).", who, media.SenderKeyId);
        }

        byte[] message;
        try
        {
            message = SignedMessages.Item(Statement(media, media.HoomiId, media.Id, media.SenderKeyId, header, Base64Url.Decode(media.EncryptedMetadata), ToSigned(media.UploadWraps)));
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new HoomiTrustException(TrustFailure.BadItemSignature, $"Media {media.Id} has malformed signed fields: {e.Message}", who, media.SenderKeyId, e);
        }

        if (!SigningKeyPair.Verify(signingKey, message, signature))
        {
            throw new HoomiTrustException(TrustFailure.BadItemSignature,
                $"Media {media.Id}: the signature of {who}'s device {media.SenderKeyId} does not match the item (content, metadata or wraps were changed).", who, media.SenderKeyId);
        }

        return new MediaSender(media.UploaderId, Trust.Get(media.UploaderId)?.UserName, media.SenderKeyId, trust, IsSigned: true);
    }

    /// <summary>Checks the item, then this device's own wrap: part of the signed upload, or shared and signed by a certified member device.</summary>
    private WrappedKeyInfo VerifyOwnWrap(MediaInfo media)
    {
        var sender = VerifySender(media);
        var key = DeviceKey;
        var own = media.WrappedKeys.FirstOrDefault(k => k.RecipientKeyId == key.KeyId)
            ?? throw new HoomiClientException($"Media {media.Id} has no key for this device ({key.KeyId}); ask a member to run 'hoomi share-keys'.");
        if (!sender.IsSigned)
        {
            return own;
        }

        if (media.UploadWraps!.Any(w => w.RecipientKeyId == own.RecipientKeyId && w.Enc == own.Enc && w.WrappedKey == own.WrappedKey))
        {
            return own;
        }

        if (own.SignerKeyId is null || own.Signature is null || own.SignerDevice is null)
        {
            throw new HoomiTrustException(TrustFailure.UnsignedWrap, $"The key wrapped for this device on media {media.Id} is neither part of the signed upload nor signed by a member.", null, own.RecipientKeyId);
        }

        var (_, signingKey) = DeviceVerifier.RequireCertificate(own.SignerDevice, own.SignerDevice.UserId, own.SignerKeyId, Trust, "sharer");
        var message = SignedMessages.Share(media.HoomiId, media.Id, Convert.FromHexString(media.Sha256), ToSigned([own])[0]);
        if (!Base64Url.TryDecode(own.Signature, out var signature) || !SigningKeyPair.Verify(signingKey, message, signature))
        {
            throw new HoomiTrustException(TrustFailure.BadWrapSignature, $"The key shared with this device on media {media.Id} by device {own.SignerKeyId} has a bad signature.", null, own.SignerKeyId);
        }

        return own;
    }

    /// <summary>Verifies the item and this device's wrap, then unwraps the file key (the caller zeroes it).</summary>
    private byte[] OpenFileKey(MediaInfo media)
    {
        var own = VerifyOwnWrap(media);
        try
        {
            return FileKeyWrapper.Unwrap(DeviceKey, own.Enc, own.WrappedKey, media.Id);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            throw new HoomiTrustException(TrustFailure.UnopenableWrap, $"The key wrapped for this device on media {media.Id} does not open (it was not made for this device's key).", null, own.RecipientKeyId, e);
        }
    }

    /// <summary>
    /// As <see cref="OpenFileKey"/>; when this device's wrap does not open or is not signed, it is removed from the server
    /// (DELETE /media/{id}/keys/{keyId}) so that any member's share-keys can wrap the file key for it again.
    /// </summary>
    private async Task<byte[]> OpenFileKeyAsync(MediaInfo media, CancellationToken cancellationToken)
    {
        try
        {
            return OpenFileKey(media);
        }
        catch (HoomiTrustException e) when (e.Failure is TrustFailure.UnopenableWrap or TrustFailure.UnsignedWrap or TrustFailure.BadWrapSignature)
        {
            try
            {
                using var _ = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"media/{media.Id}/keys/{DeviceKey.KeyId}"), true, cancellationToken).ConfigureAwait(false);
            }
            catch (HoomiApiException removal) when (removal.StatusCode == HttpStatusCode.NotFound)
            {
                // Already gone.
            }

            throw new HoomiTrustException(e.Failure, e.Message + " It was removed from the server: ask a member to run 'hoomi share-keys' to send this device a new one.", e.UserName, e.KeyId, e);
        }
    }

    /// <summary>Wraps the file key for each checked recipient key.</summary>
    private static List<WrappedKeyInfo> WrapFor(IEnumerable<MemberKey> keys, byte[] fileKey, Guid mediaId) =>
    [
        .. keys.Select(k =>
        {
            var wrapped = FileKeyWrapper.Wrap(Base64Url.Decode(k.PublicKey, 65), fileKey, mediaId);
            return new WrappedKeyInfo(k.KeyId, wrapped.EncBase64Url, wrapped.WrappedKeyBase64Url);
        }),
    ];

    private static List<SignedWrap> ToSigned(IEnumerable<WrappedKeyInfo> wraps) =>
        [.. wraps.Select(w => new SignedWrap(w.RecipientKeyId, Base64Url.Decode(w.Enc, 65), Base64Url.Decode(w.WrappedKey, 48)))];

    private static ItemStatement Statement(MediaInfo media, Guid hoomiId, Guid mediaId, string senderKeyId, byte[] header, byte[] encryptedMetadata, IReadOnlyList<SignedWrap> wraps) =>
        new(hoomiId, mediaId, senderKeyId, header, Convert.FromHexString(media.Sha256), media.Size, encryptedMetadata,
            media.ThumbnailSha256 is null ? null : Convert.FromHexString(media.ThumbnailSha256), media.ThumbnailSha256 is null ? null : media.ThumbnailSize,
            media.MimeType, wraps);

    private static bool MediaItemShapeOk(MediaInfo media) =>
        media.Sha256.Length == 64 && (media.ThumbnailSha256 is null || (media.ThumbnailSha256.Length == 64 && media.ThumbnailSize is not null));

    /// <summary>Signs an item statement with this device's signing key.</summary>
    private string SignItem(ItemStatement statement) => Base64Url.Encode(SigningKey.Sign(SignedMessages.Item(statement)));
}

/// <summary>A person's identity as the server shows it now, and the safety number to compare with them.</summary>
public sealed record SafetyNumberInfo(Guid UserId, string UserName, string IdentityKey, string IdentityFingerprint, string Number, IdentityTrust Trust);
