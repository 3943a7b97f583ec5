using System.Security.Cryptography;
using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;

namespace Hoomi.Domain.Tests.Keys;

public sealed class DeviceKeyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    internal static byte[] NewPublicKey()
    {
        using var pair = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = pair.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    [Test]
    public void A_valid_key_registers_under_its_fingerprint_and_is_active()
    {
        var user = Guid.NewGuid();
        var publicKey = NewPublicKey();
        var keyId = P256PublicKey.KeyIdOf(publicKey);

        var key = DeviceKey.Register(user, keyId, publicKey, Now);

        Assert.Multiple(() =>
        {
            Assert.That(key.KeyId, Is.EqualTo(keyId));
            Assert.That(keyId, Has.Length.EqualTo(43));
            Assert.That(keyId, Is.EqualTo(Base64Url.Encode(SHA256.HashData(publicKey))));
            Assert.That(key.UserId, Is.EqualTo(user));
            Assert.That(key.PublicKey, Is.EqualTo(publicKey));
            Assert.That(key.CreatedAt, Is.EqualTo(Now));
            Assert.That(key.IsActive, Is.True);
            Assert.That(key.HasSameKey(publicKey), Is.True);
            Assert.That(key.HasSameKey(NewPublicKey()), Is.False);
        });
    }

    public static IEnumerable<TestCaseData> InvalidPoints()
    {
        var good = NewPublicKey();
        yield return new TestCaseData((byte[])[0x04, .. Enumerable.Repeat((byte)0x01, 64)]).SetName("A_point_off_the_curve_is_refused");
        yield return new TestCaseData((byte[])[0x04, .. new byte[64]]).SetName("The_all_zero_point_is_refused");
        yield return new TestCaseData((byte[])[0x02, .. good[1..33]]).SetName("A_compressed_point_is_refused");
        yield return new TestCaseData((byte[])[0x02, .. good[1..]]).SetName("A_65_byte_key_with_another_prefix_is_refused");
        yield return new TestCaseData(good[..64]).SetName("A_truncated_key_is_refused");
        yield return new TestCaseData((byte[])[.. good, 0x00]).SetName("A_key_with_a_trailing_byte_is_refused");
        yield return new TestCaseData(Array.Empty<byte>()).SetName("An_empty_key_is_refused");
        // The curve's field prime p: a coordinate equal to p is out of range even where the equation might hold modulo p.
        var p = Convert.FromHexString("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");
        yield return new TestCaseData((byte[])[0x04, .. p, .. good[33..]]).SetName("A_coordinate_outside_the_field_is_refused");
    }

    [TestCaseSource(nameof(InvalidPoints))]
    public void A_public_key_that_is_not_a_P256_point_is_refused(byte[] publicKey)
    {
        Assert.That(P256PublicKey.IsValid(publicKey), Is.False);
        var error = Assert.Throws<DomainException>(() => DeviceKey.Register(Guid.NewGuid(), P256PublicKey.KeyIdOf(publicKey), publicKey, Now))!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Kind, Is.EqualTo(DomainErrorKind.Invalid));
            Assert.That(error.Code, Is.EqualTo("invalid-public-key"));
        });
    }

    [Test]
    public void A_key_id_that_is_not_the_fingerprint_is_refused()
    {
        var publicKey = NewPublicKey();
        var otherId = P256PublicKey.KeyIdOf(NewPublicKey());

        var error = Assert.Throws<DomainException>(() => DeviceKey.Register(Guid.NewGuid(), otherId, publicKey, Now))!;
        Assert.That(error.Code, Is.EqualTo("key-id-mismatch"));
    }

    [Test]
    public void The_key_id_comparison_is_case_sensitive()
    {
        var publicKey = NewPublicKey();
        var keyId = P256PublicKey.KeyIdOf(publicKey);
        var flipped = new string([.. keyId.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c))]);
        Assume.That(flipped, Is.Not.EqualTo(keyId), "a fingerprint with letters");

        Assert.Throws<DomainException>(() => DeviceKey.Register(Guid.NewGuid(), flipped, publicKey, Now));
    }

    [Test]
    public void Revoking_marks_the_key_inactive_at_that_time()
    {
        var publicKey = NewPublicKey();
        var key = DeviceKey.Register(Guid.NewGuid(), P256PublicKey.KeyIdOf(publicKey), publicKey, Now);

        key.Revoke(Now.AddDays(1));

        Assert.Multiple(() =>
        {
            Assert.That(key.IsActive, Is.False);
            Assert.That(key.RevokedAt, Is.EqualTo(Now.AddDays(1)));
        });
    }

    [Test]
    public void Revoking_again_keeps_the_first_revocation_time_and_the_key_stays_revoked()
    {
        var publicKey = NewPublicKey();
        var key = DeviceKey.Register(Guid.NewGuid(), P256PublicKey.KeyIdOf(publicKey), publicKey, Now);
        key.Revoke(Now.AddDays(1));

        key.Revoke(Now.AddDays(2));

        Assert.Multiple(() =>
        {
            Assert.That(key.IsActive, Is.False);
            Assert.That(key.RevokedAt, Is.EqualTo(Now.AddDays(1)));
        });
    }

    // Device certificates (hoomi-e2ee-2).

    internal sealed record Certificate(byte[] SigningKey, byte[] IdentityKey, byte[] Signature);

    internal static Certificate Certify(Guid userId, byte[] publicKey, ECDsa? identity = null)
    {
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var id = identity ?? ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[] signingKey = Point(signing);
        var message = System.Text.Encoding.ASCII.GetBytes("hoomi-e2ee-2 device").Concat(new byte[] { 0 })
            .Concat(System.Text.Encoding.ASCII.GetBytes(userId.ToString("D"))).Concat(publicKey).Concat(signingKey).ToArray();
        var signature = id.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new Certificate(signingKey, Point(id), signature);
    }

    private static byte[] Point(ECDsa key)
    {
        var q = key.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    private static DeviceKey NewKey(Guid user)
    {
        var publicKey = NewPublicKey();
        return DeviceKey.Register(user, P256PublicKey.KeyIdOf(publicKey), publicKey, Now);
    }

    private static void AssertInvalid(string code, TestDelegate action) =>
        Assert.That(Assert.Throws<DomainException>(action)!.Code, Is.EqualTo(code));

    [Test]
    public void A_new_key_has_no_certificate()
    {
        var key = NewKey(Guid.NewGuid());
        Assert.Multiple(() =>
        {
            Assert.That(key.IsCertified, Is.False);
            Assert.That(key.SigningKey, Is.Null);
            Assert.That(key.IdentityKey, Is.Null);
            Assert.That(key.Signature, Is.Null);
        });
    }

    [Test]
    public void A_certificate_signed_by_the_identity_key_over_the_owner_and_both_keys_is_stored()
    {
        var user = Guid.NewGuid();
        var key = NewKey(user);
        var cert = Certify(user, key.PublicKey);

        key.Certify(cert.SigningKey, cert.IdentityKey, cert.Signature);

        Assert.Multiple(() =>
        {
            Assert.That(key.IsCertified, Is.True);
            Assert.That(key.SigningKey, Is.EqualTo(cert.SigningKey));
            Assert.That(key.IdentityKey, Is.EqualTo(cert.IdentityKey));
            Assert.That(key.Signature, Is.EqualTo(cert.Signature));
        });
    }

    [Test]
    public void The_certificate_message_is_the_label_a_zero_byte_the_user_id_and_both_keys()
    {
        var user = Guid.Parse("0192f1d2-3c4b-7a5e-9f00-112233445566");
        var publicKey = NewPublicKey();
        var signingKey = NewPublicKey();
        var message = DeviceCertificate.Message(user, publicKey, signingKey);
        Assert.That(message, Is.EqualTo("hoomi-e2ee-2 device\0"u8.ToArray().Concat("0192f1d2-3c4b-7a5e-9f00-112233445566"u8.ToArray())
            .Concat(publicKey).Concat(signingKey).ToArray()));
        Assert.That(message, Has.Length.EqualTo(19 + 1 + 36 + 65 + 65));
    }

    [Test]
    public void A_second_certificate_replaces_the_first()
    {
        var user = Guid.NewGuid();
        var key = NewKey(user);
        var first = Certify(user, key.PublicKey);
        var second = Certify(user, key.PublicKey);
        key.Certify(first.SigningKey, first.IdentityKey, first.Signature);

        key.Certify(second.SigningKey, second.IdentityKey, second.Signature);

        Assert.That(key.SigningKey, Is.EqualTo(second.SigningKey));
    }

    [Test]
    public void A_certificate_for_another_user_id_is_refused()
    {
        var key = NewKey(Guid.NewGuid());
        var cert = Certify(Guid.NewGuid(), key.PublicKey);
        AssertInvalid("invalid-device-signature", () => key.Certify(cert.SigningKey, cert.IdentityKey, cert.Signature));
        Assert.That(key.IsCertified, Is.False);
    }

    [Test]
    public void A_certificate_over_another_device_key_is_refused()
    {
        var user = Guid.NewGuid();
        var key = NewKey(user);
        var cert = Certify(user, NewPublicKey());
        AssertInvalid("invalid-device-signature", () => key.Certify(cert.SigningKey, cert.IdentityKey, cert.Signature));
    }

    [Test]
    public void A_certificate_with_a_swapped_signing_key_is_refused()
    {
        var user = Guid.NewGuid();
        var key = NewKey(user);
        var cert = Certify(user, key.PublicKey);
        AssertInvalid("invalid-device-signature", () => key.Certify(NewPublicKey(), cert.IdentityKey, cert.Signature));
    }

    [Test]
    public void A_signature_by_another_identity_key_is_refused()
    {
        var user = Guid.NewGuid();
        var key = NewKey(user);
        var cert = Certify(user, key.PublicKey);
        AssertInvalid("invalid-device-signature", () => key.Certify(cert.SigningKey, NewPublicKey(), cert.Signature));
    }

    [TestCase(0)]
    [TestCase(63)]
    [TestCase(65)]
    [TestCase(72)]
    public void A_signature_that_is_not_64_bytes_is_refused(int length)
    {
        var user = Guid.NewGuid();
        var key = NewKey(user);
        var cert = Certify(user, key.PublicKey);
        var signature = new byte[length];
        cert.Signature.AsSpan(0, Math.Min(length, 64)).CopyTo(signature);
        AssertInvalid("invalid-device-signature", () => key.Certify(cert.SigningKey, cert.IdentityKey, signature));
    }

    [Test]
    public void A_flipped_signature_bit_is_refused()
    {
        var user = Guid.NewGuid();
        var key = NewKey(user);
        var cert = Certify(user, key.PublicKey);
        cert.Signature[10] ^= 0x01;
        AssertInvalid("invalid-device-signature", () => key.Certify(cert.SigningKey, cert.IdentityKey, cert.Signature));
    }

    [Test]
    public void Signing_or_identity_keys_that_are_not_p256_points_are_refused()
    {
        var user = Guid.NewGuid();
        var key = NewKey(user);
        var cert = Certify(user, key.PublicKey);
        byte[] offCurve = [0x04, .. Enumerable.Repeat((byte)1, 64)];
        Assert.Multiple(() =>
        {
            AssertInvalid("invalid-public-key", () => key.Certify(offCurve, cert.IdentityKey, cert.Signature));
            AssertInvalid("invalid-public-key", () => key.Certify(cert.SigningKey, offCurve, cert.Signature));
            AssertInvalid("invalid-public-key", () => key.Certify(cert.SigningKey[..64], cert.IdentityKey, cert.Signature));
        });
    }
}
