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

// Device keys (register, list, revoke) and sharing file keys with member device keys.
public sealed partial class HoomiClient
{
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
