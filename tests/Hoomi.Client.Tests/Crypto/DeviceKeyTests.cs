using System.Security.Cryptography;
using Hoomi.Client.Crypto;

namespace Hoomi.Client.Tests.Crypto;

public class DeviceKeyTests
{
    // RFC 9180 A.3.1's pkRm: a known-good point.
    private static readonly byte[] KnownPoint = Convert.FromHexString(
        "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0");

    [Test]
    public void A_generated_key_exports_a_65_byte_point_and_a_43_character_key_id()
    {
        using var key = DeviceKeyPair.Generate();
        Assert.That(key.PublicKey.Length, Is.EqualTo(65));
        Assert.That(key.PublicKey.Span[0], Is.EqualTo(0x04));
        Assert.That(P256.IsValidPublicKey(key.PublicKey.Span), Is.True);
        Assert.That(key.KeyId, Has.Length.EqualTo(KeyId.Length));
        Assert.That(key.KeyId, Is.EqualTo(Base64Url.Encode(SHA256.HashData(key.PublicKey.Span))));
        Assert.That(Base64Url.Decode(key.PublicKeyBase64Url), Is.EqualTo(key.PublicKey.ToArray()));
    }

    [Test]
    public void Key_id_of_a_known_point_is_stable()
    {
        // Expected value computed independently (Python hashlib + base64.urlsafe_b64encode, padding stripped).
        Assert.That(KeyId.Of(KnownPoint), Is.EqualTo("hxDO5Zz-NVrte2WM5RuCae5zKx9wqXwlx-nOzh5rFKo"));
    }

    [Test]
    public void Pkcs8_and_raw_exports_import_to_the_same_key()
    {
        using var key = DeviceKeyPair.Generate();
        using var fromPkcs8 = DeviceKeyPair.ImportPkcs8(key.ExportPkcs8());
        using var fromRaw = DeviceKeyPair.ImportRawPrivateKey(key.ExportRawPrivateKey());
        Assert.That(key.ExportRawPrivateKey(), Has.Length.EqualTo(32));
        Assert.That(fromPkcs8.PublicKey.ToArray(), Is.EqualTo(key.PublicKey.ToArray()));
        Assert.That(fromRaw.PublicKey.ToArray(), Is.EqualTo(key.PublicKey.ToArray()));
        Assert.That(fromRaw.KeyId, Is.EqualTo(key.KeyId));
    }

    [Test]
    public void A_pkcs8_key_on_another_curve_is_refused()
    {
        using var p384 = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);
        Assert.That(() => DeviceKeyPair.ImportPkcs8(p384.ExportPkcs8PrivateKey()), Throws.InstanceOf<CryptographicException>());
    }

    [Test]
    public void Raw_private_keys_outside_1_to_n_minus_1_are_refused()
    {
        Assert.That(() => DeviceKeyPair.ImportRawPrivateKey(new byte[32]), Throws.InstanceOf<CryptographicException>());
        Assert.That(() => DeviceKeyPair.ImportRawPrivateKey(P256.Order), Throws.InstanceOf<CryptographicException>());
        Assert.That(() => DeviceKeyPair.ImportRawPrivateKey(new byte[31]), Throws.InstanceOf<CryptographicException>());
        var nMinusOne = P256.Order.ToArray();
        nMinusOne[^1]--;
        using var max = DeviceKeyPair.ImportRawPrivateKey(nMinusOne);
        Assert.That(P256.IsValidPublicKey(max.PublicKey.Span), Is.True);
    }

    [Test]
    public void A_valid_point_passes_the_validator() => Assert.That(P256.IsValidPublicKey(KnownPoint), Is.True);

    [Test]
    public void Malformed_points_are_refused()
    {
        var offCurve = KnownPoint.ToArray();
        offCurve[64] ^= 1;
        var compressed = KnownPoint.ToArray();
        compressed[0] = 0x02;
        var xTooLarge = KnownPoint.ToArray();
        xTooLarge.AsSpan(1, 32).Fill(0xff);
        Assert.Multiple(() =>
        {
            Assert.That(P256.IsValidPublicKey(offCurve), Is.False, "off curve");
            Assert.That(P256.IsValidPublicKey(compressed), Is.False, "wrong prefix");
            Assert.That(P256.IsValidPublicKey(KnownPoint.AsSpan(0, 64)), Is.False, "short");
            Assert.That(P256.IsValidPublicKey([.. KnownPoint, 0]), Is.False, "long");
            Assert.That(P256.IsValidPublicKey(new byte[65]), Is.False, "zeros");
            Assert.That(P256.IsValidPublicKey(xTooLarge), Is.False, "x >= p");
            Assert.That(() => KeyId.Of(offCurve), Throws.InstanceOf<CryptographicException>());
            Assert.That(() => P256.ImportPublicKey(offCurve), Throws.InstanceOf<CryptographicException>());
        });
    }

    [Test]
    public void The_platform_import_also_refuses_an_off_curve_point()
    {
        // The managed check does not rely on this, but the brief asks to confirm the platform's behaviour.
        var offCurve = KnownPoint.ToArray();
        offCurve[64] ^= 1;
        using var key = ECDiffieHellman.Create();
        var parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = offCurve[1..33], Y = offCurve[33..] },
        };
        Assert.That(() => key.ImportParameters(parameters), Throws.InstanceOf<CryptographicException>());
    }
}
