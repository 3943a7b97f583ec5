using System.Security.Cryptography;
using Hoomi.Client.Crypto;

namespace Hoomi.Client.Tests.Crypto;

public class FileKeyWrapperTests
{
    private static readonly Guid MediaId = Guid.Parse("0193F2A4-7B1C-7D3E-8F00-0123456789AB");

    [Test]
    public void The_aad_is_the_lowercase_hyphenated_media_id()
    {
        Assert.That(System.Text.Encoding.ASCII.GetString(FileKeyWrapper.MediaIdAad(MediaId)), Is.EqualTo("0193f2a4-7b1c-7d3e-8f00-0123456789ab"));
        Assert.That(FileKeyWrapper.MediaIdAad(MediaId), Has.Length.EqualTo(36));
    }

    [Test]
    public void A_wrapped_key_unwraps_with_the_recipient_key_and_has_the_documented_sizes()
    {
        using var device = DeviceKeyPair.Generate();
        var fileKey = RandomNumberGenerator.GetBytes(32);
        var wrapped = FileKeyWrapper.Wrap(device.PublicKey.Span, fileKey, MediaId);
        Assert.That(wrapped.Enc, Has.Length.EqualTo(65));
        Assert.That(wrapped.WrappedKey, Has.Length.EqualTo(48));
        Assert.That(FileKeyWrapper.Unwrap(device, wrapped.Enc, wrapped.WrappedKey, MediaId), Is.EqualTo(fileKey));
        Assert.That(FileKeyWrapper.Unwrap(device, wrapped.EncBase64Url, wrapped.WrappedKeyBase64Url, MediaId), Is.EqualTo(fileKey));
    }

    [Test]
    public void Wrapping_matches_the_hpke_key_schedule_with_the_documented_info_and_aad()
    {
        // Recomputes the wrap by hand with the generic HPKE API, so a change to info or aad cannot go unnoticed.
        using var device = DeviceKeyPair.Generate();
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var fileKey = RandomNumberGenerator.GetBytes(32);
        var wrapped = FileKeyWrapper.Wrap(device.PublicKey.Span, fileKey, MediaId, ephemeral);
        var expected = Hpke.Seal(device.PublicKey.Span, "hoomi-e2ee-1 file key"u8, "0193f2a4-7b1c-7d3e-8f00-0123456789ab"u8, fileKey, ephemeral, out var enc);
        Assert.That(wrapped.WrappedKey, Is.EqualTo(expected));
        Assert.That(wrapped.Enc, Is.EqualTo(enc));
    }

    [Test]
    public void Unwrap_fails_for_another_media_id_another_device_or_edited_bytes()
    {
        using var device = DeviceKeyPair.Generate();
        using var other = DeviceKeyPair.Generate();
        var wrapped = FileKeyWrapper.Wrap(device.PublicKey.Span, RandomNumberGenerator.GetBytes(32), MediaId);
        var edited = wrapped.WrappedKey.ToArray();
        edited[0] ^= 0x80;
        Assert.Multiple(() =>
        {
            Assert.That(() => FileKeyWrapper.Unwrap(device, wrapped.Enc, wrapped.WrappedKey, Guid.NewGuid()), Throws.InstanceOf<CryptographicException>());
            Assert.That(() => FileKeyWrapper.Unwrap(other, wrapped.Enc, wrapped.WrappedKey, MediaId), Throws.InstanceOf<CryptographicException>());
            Assert.That(() => FileKeyWrapper.Unwrap(device, wrapped.Enc, edited, MediaId), Throws.InstanceOf<CryptographicException>());
            Assert.That(() => FileKeyWrapper.Unwrap(device, wrapped.Enc, wrapped.WrappedKey.AsSpan(0, 47).ToArray(), MediaId), Throws.InstanceOf<CryptographicException>());
            Assert.That(() => FileKeyWrapper.Unwrap(device, wrapped.Enc.AsSpan(0, 64), wrapped.WrappedKey, MediaId), Throws.InstanceOf<CryptographicException>());
            Assert.That(() => FileKeyWrapper.Unwrap(device, wrapped.EncBase64Url + "=", wrapped.WrappedKeyBase64Url, MediaId), Throws.InstanceOf<FormatException>());
        });
    }

    [Test]
    public void Wrap_refuses_keys_of_the_wrong_size_and_invalid_recipient_points()
    {
        using var device = DeviceKeyPair.Generate();
        var bad = device.PublicKey.ToArray();
        bad[1] ^= 1;
        Assert.That(() => FileKeyWrapper.Wrap(device.PublicKey.Span, new byte[31], MediaId), Throws.ArgumentException);
        Assert.That(() => FileKeyWrapper.Wrap(bad, new byte[32], MediaId), Throws.InstanceOf<CryptographicException>());
    }
}
