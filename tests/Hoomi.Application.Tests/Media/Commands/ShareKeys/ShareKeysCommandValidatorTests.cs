using Hoomi.Application.Media.WrappedKeys;
using Hoomi.Application.Media.Commands.ShareKeys;
using Hoomi.Application.Media.Commands.UploadMedia;
using Hoomi.Domain.Common;
using static Hoomi.Application.Tests.Media.WireSamples;

namespace Hoomi.Application.Tests.Media.Commands.ShareKeys;

public sealed class ShareKeysCommandValidatorTests
{
    private readonly ShareKeysCommandValidator _validator = new();

    private string[] FieldsAtFault(IReadOnlyList<SharedWrappedKey?>? keys) =>
        _validator.Validate(new ShareKeysCommand(Guid.NewGuid(), keys)).Errors.Select(e => e.PropertyName).Distinct().ToArray();

    [Test]
    public void Well_formed_keys_for_distinct_recipients_are_valid() => Assert.That(FieldsAtFault([SharedKey(1), SharedKey(2), SharedKey(3)]), Is.Empty);

    [Test]
    public void No_keys_are_refused() => Assert.That(FieldsAtFault(null), Is.EqualTo(new[] { "wrappedKeys" }));

    [Test]
    public void An_empty_key_list_is_refused() => Assert.That(FieldsAtFault([]), Is.EqualTo(new[] { "wrappedKeys" }));

    [Test]
    public void Two_keys_for_the_same_recipient_key_are_refused() =>
        Assert.That(FieldsAtFault([SharedKey(1), SharedKey(2), SharedKey(1)]), Is.EqualTo(new[] { "wrappedKeys" }));

    [Test]
    public void A_null_entry_is_refused() => Assert.That(FieldsAtFault([SharedKey(1), null]), Is.Not.Empty);

    [Test]
    public void More_than_10000_keys_are_refused()
    {
        var keys = Enumerable.Range(0, 10_001)
            .Select(i => (SharedWrappedKey?)new SharedWrappedKey(Base64Url.Encode(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))), Enc, WrappedKeyBytes, KeyId(200), SignatureBytes))
            .ToList();
        Assert.That(FieldsAtFault(keys), Is.EqualTo(new[] { "wrappedKeys" }));
    }

    [Test]
    public void Exactly_10000_keys_are_accepted()
    {
        var keys = Enumerable.Range(0, 10_000)
            .Select(i => (SharedWrappedKey?)new SharedWrappedKey(Base64Url.Encode(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))), Enc, WrappedKeyBytes, KeyId(200), SignatureBytes))
            .ToList();
        Assert.That(FieldsAtFault(keys), Is.Empty);
    }

    [TestCase("recipientKeyId")]
    [TestCase("enc")]
    [TestCase("wrappedKey")]
    [TestCase("signerKeyId")]
    [TestCase("signature")]
    [TestCase("no signerKeyId")]
    [TestCase("no signature")]
    public void A_key_with_one_malformed_field_is_refused_on_that_key(string field)
    {
        var good = SharedKey(2);
        var bad = field switch
        {
            "recipientKeyId" => good with { RecipientKeyId = good.RecipientKeyId + "A" },
            "enc" => good with { Enc = Base64Url.Encode(new byte[65]) },
            "signerKeyId" => good with { SignerKeyId = "short" },
            "signature" => good with { Signature = Base64Url.Encode(new byte[63]) },
            "no signerKeyId" => good with { SignerKeyId = null },
            "no signature" => good with { Signature = null },
            _ => good with { WrappedKey = Base64Url.Encode(new byte[32]) },
        };

        Assert.That(FieldsAtFault([SharedKey(1), bad]), Has.All.StartsWith("wrappedKeys[1]").And.Not.Empty);
    }
}
