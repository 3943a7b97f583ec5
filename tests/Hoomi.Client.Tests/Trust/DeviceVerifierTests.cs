using Hoomi.Client.Api;
using Hoomi.Client.Crypto;
using Hoomi.Client.Storage;
using Hoomi.Client.Trust;

namespace Hoomi.Client.Tests.Trust;

/// <summary>Device certificates, pinned identities and the refusal of every key that does not verify.</summary>
public class DeviceVerifierTests
{
    private string _dir = "";
    private TrustStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "hoomi-trust-" + Guid.NewGuid().ToString("N"));
        _store = new TrustStore(new HoomiHome(_dir));
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    internal sealed record Person(Guid UserId, string Name, SigningKeyPair Identity) : IDisposable
    {
        public static Person Create(string name) => new(Guid.NewGuid(), name, SigningKeyPair.Generate());

        public MemberKey Device(SigningKeyPair? signedBy = null, Guid? forUser = null)
        {
            using var device = DeviceKeyPair.Generate();
            using var signing = SigningKeyPair.Generate();
            var signature = (signedBy ?? Identity).Sign(SignedMessages.DeviceCertificate(forUser ?? UserId, device.PublicKey.Span, signing.PublicKey.Span));
            return new MemberKey(device.KeyId, device.PublicKeyBase64Url, signing.PublicKeyBase64Url, (signedBy ?? Identity).PublicKeyBase64Url, Base64Url.Encode(signature));
        }

        public HoomiMember Member(params MemberKey[] keys) => new(UserId, Name, "Member", DateTimeOffset.UnixEpoch, keys);

        public void Dispose() => Identity.Dispose();
    }

    [Test]
    public void A_certified_device_of_a_new_person_is_valid_and_pins_the_identity()
    {
        using var bob = Person.Create("bob");
        var trust = DeviceVerifier.CheckMember(bob.Member(bob.Device(), bob.Device()), _store);
        Assert.Multiple(() =>
        {
            Assert.That(trust.AllValid, Is.True);
            Assert.That(trust.Identity, Is.EqualTo(IdentityTrust.New));
            Assert.That(_store.Get(bob.UserId)!.IdentityKey, Is.EqualTo(bob.Identity.PublicKeyBase64Url));
            Assert.That(trust.IdentityFingerprint, Is.EqualTo(bob.Identity.Fingerprint));
        });
    }

    [Test]
    public void The_pin_survives_a_new_store_on_the_same_home()
    {
        using var bob = Person.Create("bob");
        DeviceVerifier.CheckMember(bob.Member(bob.Device()), _store);
        var again = new TrustStore(new HoomiHome(_dir));
        Assert.That(again.Get(bob.UserId)?.IdentityKey, Is.EqualTo(bob.Identity.PublicKeyBase64Url));
    }

    [Test]
    public void A_new_device_of_a_known_person_is_trusted_through_the_identity_signature()
    {
        using var bob = Person.Create("bob");
        DeviceVerifier.CheckMember(bob.Member(bob.Device()), _store);
        _store.Accept(bob.UserId, "bob", bob.Identity.PublicKeyBase64Url);
        var later = DeviceVerifier.CheckMember(bob.Member(bob.Device(), bob.Device()), _store);
        Assert.That(later.AllValid, Is.True);
        Assert.That(later.Identity, Is.EqualTo(IdentityTrust.Verified));
    }

    [Test]
    public void A_public_key_swapped_under_the_same_id_is_refused()
    {
        using var bob = Person.Create("bob");
        using var attacker = DeviceKeyPair.Generate();
        var real = bob.Device();
        var swapped = real with { PublicKey = attacker.PublicKeyBase64Url };
        var ex = Assert.Throws<HoomiTrustException>(() => DeviceVerifier.RequireRecipients([bob.Member(swapped)], _store));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Failure, Is.EqualTo(TrustFailure.KeyIdMismatch));
            Assert.That(ex.Message, Does.Contain("bob").And.Contain(real.KeyId));
            Assert.That(ex.KeyId, Is.EqualTo(real.KeyId));
        });
    }

    [Test]
    public void An_extra_device_without_a_valid_signature_refuses_the_whole_upload()
    {
        using var bob = Person.Create("bob");
        using var server = SigningKeyPair.Generate();
        var forged = bob.Device(signedBy: server) with { IdentityKey = bob.Identity.PublicKeyBase64Url };
        var unsigned = bob.Device() with { SigningKey = null, IdentityKey = null, Signature = null };
        var ex = Assert.Throws<HoomiTrustException>(() => DeviceVerifier.RequireRecipients([bob.Member(bob.Device(), forged)], _store));
        Assert.That(ex!.Failure, Is.EqualTo(TrustFailure.BadDeviceSignature));
        Assert.That(ex.Message, Does.Contain(forged.KeyId));
        var ex2 = Assert.Throws<HoomiTrustException>(() => DeviceVerifier.RequireRecipients([bob.Member(unsigned)], _store));
        Assert.That(ex2!.Failure, Is.EqualTo(TrustFailure.UnsignedDevice));
    }

    [Test]
    public void A_certificate_for_another_user_id_does_not_verify()
    {
        using var bob = Person.Create("bob");
        var moved = bob.Device(forUser: Guid.NewGuid());
        Assert.That(DeviceVerifier.CheckMember(bob.Member(moved), _store).Devices[0].Status, Is.EqualTo(DeviceStatus.BadSignature));
    }

    [Test]
    public void A_changed_identity_stops_uploads_until_accepted()
    {
        using var bob = Person.Create("bob");
        using var impostor = SigningKeyPair.Generate();
        DeviceVerifier.CheckMember(bob.Member(bob.Device()), _store);
        var changedDevice = bob.Device(signedBy: impostor);
        var ex = Assert.Throws<HoomiTrustException>(() => DeviceVerifier.RequireRecipients([bob.Member(changedDevice)], _store));
        Assert.That(ex!.Failure, Is.EqualTo(TrustFailure.IdentityChanged));
        Assert.That(DeviceVerifier.CheckMember(bob.Member(changedDevice), _store).Identity, Is.EqualTo(IdentityTrust.Changed));
        Assert.That(_store.Get(bob.UserId)!.IdentityKey, Is.EqualTo(bob.Identity.PublicKeyBase64Url), "a changed key never replaces the pin by itself");

        _store.Accept(bob.UserId, "bob", impostor.PublicKeyBase64Url);
        Assert.That(DeviceVerifier.RequireRecipients([bob.Member(changedDevice)], _store), Has.Count.EqualTo(1));
    }

    [Test]
    public void Relayed_certificates_are_checked_for_the_user_and_key_they_claim()
    {
        using var alice = Person.Create("alice");
        var key = alice.Device();
        var cert = new DeviceCertificateInfo(alice.UserId, key.KeyId, key.PublicKey, key.SigningKey, key.IdentityKey, key.Signature);
        Assert.That(DeviceVerifier.RequireCertificate(cert, alice.UserId, key.KeyId, _store, "sender").Trust, Is.EqualTo(IdentityTrust.New));
        Assert.That(() => DeviceVerifier.RequireCertificate(cert, Guid.NewGuid(), key.KeyId, _store, "sender"),
            Throws.InstanceOf<HoomiTrustException>().With.Property(nameof(HoomiTrustException.Failure)).EqualTo(TrustFailure.SenderMismatch));
        Assert.That(() => DeviceVerifier.RequireCertificate(cert with { Signature = cert.Signature![..^2] + "AA" }, alice.UserId, key.KeyId, _store, "sender"),
            Throws.InstanceOf<HoomiTrustException>());
        Assert.That(() => DeviceVerifier.RequireCertificate(null, alice.UserId, key.KeyId, _store, "sender"), Throws.InstanceOf<HoomiTrustException>());
    }

    [Test]
    public void Safety_numbers_are_the_same_on_both_sides_and_differ_for_another_key()
    {
        using var a = Person.Create("a");
        using var b = Person.Create("b");
        using var c = SigningKeyPair.Generate();
        var ab = SafetyNumber.Compute(a.UserId, a.Identity.PublicKey.Span, b.UserId, b.Identity.PublicKey.Span);
        var ba = SafetyNumber.Compute(b.UserId, b.Identity.PublicKey.Span, a.UserId, a.Identity.PublicKey.Span);
        var ac = SafetyNumber.Compute(a.UserId, a.Identity.PublicKey.Span, b.UserId, c.PublicKey.Span);
        Assert.Multiple(() =>
        {
            Assert.That(ab, Is.EqualTo(ba));
            Assert.That(ab, Does.Match(@"^(\d{5} ){11}\d{5}$"));
            Assert.That(ac, Is.Not.EqualTo(ab));
        });
    }

    [Test]
    public void Signed_messages_bind_every_field()
    {
        var wraps = new List<SignedWrap>
        {
            new(new string('A', 43), [0x04, .. new byte[64]], new byte[48]),
            new(new string('B', 43), [0x04, .. Enumerable.Repeat((byte)1, 64)], Enumerable.Repeat((byte)2, 48).ToArray()),
        };
        var item = new ItemStatement(Guid.NewGuid(), Guid.NewGuid(), new string('K', 43), new byte[96], new byte[32], 1234, [1, 2, 3], null, null, "image/jpeg", wraps);
        var baseline = SignedMessages.Item(item);
        byte[][] variants =
        [
            SignedMessages.Item(item with { HoomiId = Guid.NewGuid() }),
            SignedMessages.Item(item with { MediaId = Guid.NewGuid() }),
            SignedMessages.Item(item with { SenderKeyId = new string('L', 43) }),
            SignedMessages.Item(item with { ContentHeader = [1, .. new byte[95]] }),
            SignedMessages.Item(item with { ContentSha256 = [1, .. new byte[31]] }),
            SignedMessages.Item(item with { ContentSize = 1235 }),
            SignedMessages.Item(item with { EncryptedMetadata = [1, 2, 4] }),
            SignedMessages.Item(item with { ThumbnailSha256 = new byte[32], ThumbnailSize = 10 }),
            SignedMessages.Item(item with { MimeType = "image/png" }),
            SignedMessages.Item(item with { Wraps = [wraps[0] with { Enc = wraps[1].Enc }, wraps[1] with { Enc = wraps[0].Enc }] }),
            SignedMessages.Item(item with { Wraps = [wraps[0]] }),
        ];
        Assert.That(variants.Select(Convert.ToHexString), Has.None.EqualTo(Convert.ToHexString(baseline)));
        Assert.That(SignedMessages.Item(item with { Wraps = [wraps[1], wraps[0]] }), Is.EqualTo(baseline), "the wrap set is ordered by key id");
        Assert.That(() => SignedMessages.WrapsDigest([wraps[0], wraps[0]]), Throws.ArgumentException);
    }

    [Test]
    public void Signatures_are_64_bytes_and_verify_only_their_message_and_key()
    {
        using var key = SigningKeyPair.Generate();
        using var other = SigningKeyPair.Generate();
        var signature = key.Sign("hello"u8);
        Assert.Multiple(() =>
        {
            Assert.That(signature, Has.Length.EqualTo(64));
            Assert.That(SigningKeyPair.Verify(key.PublicKey.Span, "hello"u8, signature), Is.True);
            Assert.That(SigningKeyPair.Verify(key.PublicKey.Span, "hellO"u8, signature), Is.False);
            Assert.That(SigningKeyPair.Verify(other.PublicKey.Span, "hello"u8, signature), Is.False);
            Assert.That(SigningKeyPair.Verify(key.PublicKey.Span, "hello"u8, signature.AsSpan(0, 63)), Is.False);
        });
    }

    [Test]
    public void The_identity_export_opens_only_with_its_password()
    {
        using var key = SigningKeyPair.Generate();
        var exported = key.ExportEncryptedPkcs8("correct horse");
        using var back = SigningKeyPair.ImportEncryptedPkcs8("correct horse", exported);
        Assert.That(back.Fingerprint, Is.EqualTo(key.Fingerprint));
        Assert.That(() => SigningKeyPair.ImportEncryptedPkcs8("wrong", exported), Throws.InstanceOf<System.Security.Cryptography.CryptographicException>());
    }
}
