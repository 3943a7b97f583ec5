using System.Security.Cryptography;
using Hoomi.Application.Keys.Commands.RegisterDeviceKey;
using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;

namespace Hoomi.Application.Tests.Keys;

public sealed class RegisterDeviceKeyCommandValidatorTests
{
    private readonly RegisterDeviceKeyCommandValidator _validator = new();

    private static byte[] NewPublicKey()
    {
        using var pair = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = pair.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    private static RegisterDeviceKeyCommand CommandFor(byte[] publicKey) =>
        new(P256PublicKey.KeyIdOf(publicKey), Base64Url.Encode(publicKey));

    private IEnumerable<string> FieldsAtFault(RegisterDeviceKeyCommand command) =>
        _validator.Validate(command).Errors.Select(e => e.PropertyName).Distinct();

    [Test]
    public void A_P256_key_under_its_fingerprint_is_valid() =>
        Assert.That(_validator.Validate(CommandFor(NewPublicKey())).IsValid, Is.True);

    [Test]
    public void A_key_id_that_is_another_keys_fingerprint_is_refused_on_key_id_only()
    {
        var command = CommandFor(NewPublicKey()) with { KeyId = P256PublicKey.KeyIdOf(NewPublicKey()) };
        Assert.That(FieldsAtFault(command), Is.EqualTo(new[] { "KeyId" }));
    }

    [TestCase("")]
    [TestCase("short")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void A_key_id_that_is_not_a_43_character_base64url_hash_is_refused_on_key_id(string keyId)
    {
        var command = CommandFor(NewPublicKey()) with { KeyId = keyId };
        Assert.That(FieldsAtFault(command), Is.EqualTo(new[] { "KeyId" }));
    }

    public static IEnumerable<TestCaseData> InvalidKeys()
    {
        var good = NewPublicKey();
        var text = Base64Url.Encode(good);
        yield return new TestCaseData(text + "=").SetName("A_padded_key_is_refused");
        yield return new TestCaseData(text.Replace('-', '+').Replace('_', '/') + (text.Contains('-', StringComparison.Ordinal) || text.Contains('_', StringComparison.Ordinal) ? "" : "+"))
            .SetName("A_key_with_plus_or_slash_is_refused");
        yield return new TestCaseData(Base64Url.Encode(good.AsSpan(0, 64))).SetName("A_64_byte_key_is_refused");
        yield return new TestCaseData(Base64Url.Encode((byte[])[0x04, .. Enumerable.Repeat((byte)0x01, 64)])).SetName("A_point_off_the_curve_is_refused");
        yield return new TestCaseData(Base64Url.Encode((byte[])[0x02, .. good[1..33]])).SetName("A_compressed_point_is_refused");
        yield return new TestCaseData("").SetName("An_empty_key_is_refused");
        yield return new TestCaseData(null).SetName("A_missing_key_is_refused");
        yield return new TestCaseData(new string('A', 100_000)).SetName("A_huge_key_is_refused");
    }

    [TestCaseSource(nameof(InvalidKeys))]
    public void An_invalid_public_key_is_refused_on_public_key(string? publicKey)
    {
        var command = new RegisterDeviceKeyCommand(P256PublicKey.KeyIdOf(NewPublicKey()), publicKey);
        // The key id cannot be checked against a key that is not one, so only the key is at fault.
        Assert.That(FieldsAtFault(command), Is.EqualTo(new[] { "PublicKey" }));
    }

    // The device certificate: signingKey, identityKey and signature together or none.

    private static RegisterDeviceKeyCommand Certified(byte[] publicKey) =>
        CommandFor(publicKey) with
        {
            SigningKey = Base64Url.Encode(NewPublicKey()),
            IdentityKey = Base64Url.Encode(NewPublicKey()),
            Signature = Base64Url.Encode(new byte[64]),
        };

    [Test]
    public void A_key_with_all_three_certificate_fields_passes_validation() =>
        Assert.That(FieldsAtFault(Certified(NewPublicKey())), Is.Empty, "the signature itself is the entity's check");

    [TestCase("SigningKey")]
    [TestCase("IdentityKey")]
    [TestCase("Signature")]
    public void A_certificate_with_one_field_missing_is_refused_on_that_field(string missing)
    {
        var command = Certified(NewPublicKey());
        command = missing switch
        {
            "SigningKey" => command with { SigningKey = null },
            "IdentityKey" => command with { IdentityKey = null },
            _ => command with { Signature = null },
        };
        Assert.That(FieldsAtFault(command), Is.EqualTo(new[] { missing }));
    }

    [Test]
    public void A_lone_certificate_field_is_refused_on_the_two_missing_ones()
    {
        var command = CommandFor(NewPublicKey()) with { Signature = Base64Url.Encode(new byte[64]) };
        Assert.That(FieldsAtFault(command), Is.EquivalentTo(new[] { "SigningKey", "IdentityKey" }));
    }

    [Test]
    public void Certificate_fields_that_are_not_base64url_are_refused() =>
        Assert.That(FieldsAtFault(Certified(NewPublicKey()) with { IdentityKey = "not base64!" }), Is.EqualTo(new[] { "IdentityKey" }));
}
