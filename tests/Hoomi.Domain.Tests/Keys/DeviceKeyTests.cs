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
}
