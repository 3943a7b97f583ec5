using Hoomi.Client.Api;
using Hoomi.Client.Crypto;

namespace Hoomi.Client.Trust;

/// <summary>What the check of one device key found.</summary>
public enum DeviceStatus
{
    /// <summary>Key id = fingerprint, certificate valid under the person's identity key, which is pinned (new or verified).</summary>
    Valid,
    KeyIdMismatch,
    NotSigned,
    BadSignature,

    /// <summary>Certified, but by another identity key than the one pinned for this person.</summary>
    IdentityChanged,
}

/// <summary>One device key of a member and what its check found.</summary>
public sealed record DeviceCheck(MemberKey Key, DeviceStatus Status)
{
    public string Reason => Status switch
    {
        DeviceStatus.Valid => "valid",
        DeviceStatus.KeyIdMismatch => "its key id is not the fingerprint of its public key",
        DeviceStatus.NotSigned => "it is not signed by the person's identity key (a legacy key: its owner runs 'hoomi keys init' again)",
        DeviceStatus.BadSignature => "its identity signature does not verify",
        DeviceStatus.IdentityChanged => "it is signed by a new identity key (compare the safety number: 'hoomi verify USER --accept')",
        _ => Status.ToString(),
    };
}

/// <summary>A member with the trust in their identity and the check of each of their devices.</summary>
public sealed record MemberTrust(HoomiMember Member, IdentityTrust? Identity, string? IdentityKey, IReadOnlyList<DeviceCheck> Devices)
{
    /// <summary>Fingerprint of the identity key the member's devices are checked against (the pinned one), or null without keys.</summary>
    public string? IdentityFingerprint => IdentityKey is null ? null : KeyId.Of(Base64Url.Decode(IdentityKey, 65));

    public bool AllValid => Devices.All(d => d.Status == DeviceStatus.Valid);
}

/// <summary>The sender of a media item as its signature shows, after the checks.</summary>
public sealed record MediaSender(Guid UserId, string? UserName, string? DeviceKeyId, IdentityTrust? Identity, bool IsSigned)
{
    public string Describe() => !IsSigned
        ? "unsigned (v1)"
        : (UserName ?? UserId.ToString()) + (Identity == IdentityTrust.Verified ? " (verified)" : " (new)");
}

/// <summary>The checks of hoomi-e2ee-2 against the pinned identities (e2ee.md, "Client checks").</summary>
public static class DeviceVerifier
{
    /// <summary>Checks a device certificate on its own (no pins): fingerprint, presence and the identity signature.</summary>
    public static DeviceStatus CheckCertificate(Guid userId, string keyId, string publicKey, string? signingKey, string? identityKey, string? signature)
    {
        if (!Base64Url.TryDecode(publicKey, out var pub) || !P256.IsValidPublicKey(pub) || KeyId.Of(pub) != keyId)
        {
            return DeviceStatus.KeyIdMismatch;
        }

        if (signingKey is null || identityKey is null || signature is null)
        {
            return DeviceStatus.NotSigned;
        }

        if (!Base64Url.TryDecode(signingKey, out var signing) || !P256.IsValidPublicKey(signing)
            || !Base64Url.TryDecode(identityKey, out var identity) || !P256.IsValidPublicKey(identity)
            || !Base64Url.TryDecode(signature, out var sig))
        {
            return DeviceStatus.BadSignature;
        }

        return SigningKeyPair.Verify(identity, SignedMessages.DeviceCertificate(userId, pub, signing), sig) ? DeviceStatus.Valid : DeviceStatus.BadSignature;
    }

    /// <summary>Checks every device key of a member and the member's identity against the pins (pinning on first sight).</summary>
    public static MemberTrust CheckMember(HoomiMember member, TrustStore store)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(store);
        var checks = new List<DeviceCheck>();
        IdentityTrust? trust = null;
        foreach (var key in member.Keys)
        {
            var status = CheckCertificate(member.UserId, key.KeyId, key.PublicKey, key.SigningKey, key.IdentityKey, key.Signature);
            if (status == DeviceStatus.Valid)
            {
                var t = store.Evaluate(member.UserId, member.UserName, key.IdentityKey!);
                if (t == IdentityTrust.Changed)
                {
                    status = DeviceStatus.IdentityChanged;
                    trust = IdentityTrust.Changed;
                }
                else if (trust is null)
                {
                    trust = t;
                }
            }

            checks.Add(new DeviceCheck(key, status));
        }

        var pinned = store.Get(member.UserId);
        if (trust is null && pinned is not null && member.Keys.Count > 0)
        {
            trust = pinned.Verified ? IdentityTrust.Verified : IdentityTrust.New;
        }

        return new MemberTrust(member, trust, pinned?.IdentityKey, checks);
    }

    /// <summary>
    /// The keys an upload may wrap for: every device of every member, each valid. Anything else refuses the whole upload,
    /// naming each member and device at fault, so that nothing is wrapped for a key the server slipped in.
    /// </summary>
    public static IReadOnlyList<MemberKey> RequireRecipients(IEnumerable<HoomiMember> members, TrustStore store)
    {
        var trusts = members.Select(m => CheckMember(m, store)).ToList();
        var problems = trusts.SelectMany(t => t.Devices.Where(d => d.Status != DeviceStatus.Valid).Select(d => (t.Member, d))).ToList();
        if (problems.Count > 0)
        {
            var (member, device) = problems[0];
            var failure = device.Status switch
            {
                DeviceStatus.KeyIdMismatch => TrustFailure.KeyIdMismatch,
                DeviceStatus.NotSigned => TrustFailure.UnsignedDevice,
                DeviceStatus.IdentityChanged => TrustFailure.IdentityChanged,
                _ => TrustFailure.BadDeviceSignature,
            };
            var text = string.Join("; ", problems.Select(p => $"device {p.d.Key.KeyId} of {p.Member.UserName}: {p.d.Reason}"));
            throw new HoomiTrustException(failure, $"Nothing was sent: {text}.", member.UserName, device.Key.KeyId);
        }

        return [.. trusts.SelectMany(t => t.Member.Keys).DistinctBy(k => k.KeyId)];
    }

    /// <summary>Checks a relayed device certificate (a sender's or a sharer's) and the trust in its identity; throws when it fails.</summary>
    public static (IdentityTrust Trust, byte[] SigningKey) RequireCertificate(DeviceCertificateInfo? device, Guid expectedUserId, string? expectedKeyId, TrustStore store, string role)
    {
        if (device is null)
        {
            throw new HoomiTrustException(TrustFailure.UnsignedItem, $"The server sent no device certificate for the {role}.");
        }

        var who = store.Get(device.UserId)?.UserName ?? device.UserId.ToString();
        if (device.UserId != expectedUserId || (expectedKeyId is not null && device.KeyId != expectedKeyId))
        {
            throw new HoomiTrustException(TrustFailure.SenderMismatch, $"The {role}'s device certificate is not the one the item names (user {device.UserId}, key {device.KeyId}).", who, device.KeyId);
        }

        var status = CheckCertificate(device.UserId, device.KeyId, device.PublicKey, device.SigningKey, device.IdentityKey, device.Signature);
        if (status != DeviceStatus.Valid)
        {
            var check = new DeviceCheck(new MemberKey(device.KeyId, device.PublicKey), status);
            throw new HoomiTrustException(status == DeviceStatus.NotSigned ? TrustFailure.UnsignedDevice : status == DeviceStatus.KeyIdMismatch ? TrustFailure.KeyIdMismatch : TrustFailure.BadDeviceSignature,
                $"The {role}'s device {device.KeyId} of {who} is refused: {check.Reason}.", who, device.KeyId);
        }

        var trust = store.Evaluate(device.UserId, null, device.IdentityKey!);
        if (trust == IdentityTrust.Changed)
        {
            throw new HoomiTrustException(TrustFailure.IdentityChanged,
                $"The {role} {who} signed with a new identity key; compare the safety number with 'hoomi verify {who} --accept' first.", who, device.KeyId);
        }

        return (trust, Base64Url.Decode(device.SigningKey!, 65));
    }
}
