using Hoomi.Application.Media.Commands.ShareKeys;
using Hoomi.Application.Media.Commands.UploadMedia;
using Hoomi.Domain.Common;
using static Hoomi.Application.Tests.Media.WireSamples;

namespace Hoomi.Application.Tests.Media.Commands.ShareKeys;

public sealed class ShareKeysCommandValidatorTests
{
    private readonly ShareKeysCommandValidator _validator = new();

    private string[] FieldsAtFault(IReadOnlyList<UploadWrappedKey?>? keys) =>
        _validator.Validate(new ShareKeysCommand(Guid.NewGuid(), keys)).Errors.Select(e => e.PropertyName).Distinct().ToArray();

    [Test]
    public void Well_formed_keys_for_distinct_recipients_are_valid() => Assert.That(FieldsAtFault([Key(1), Key(2), Key(3)]), Is.Empty);

    [Test]
    public void No_keys_are_refused() => Assert.That(FieldsAtFault(null), Is.EqualTo(new[] { "WrappedKeys" }));

    [Test]
    public void An_empty_key_list_is_refused() => Assert.That(FieldsAtFault([]), Is.EqualTo(new[] { "WrappedKeys" }));

    [Test]
    public void Two_keys_for_the_same_recipient_key_are_refused() =>
        Assert.That(FieldsAtFault([Key(1), Key(2), Key(1)]), Is.EqualTo(new[] { "WrappedKeys" }));

    [Test]
    public void A_null_entry_is_refused() => Assert.That(FieldsAtFault([Key(1), null]), Is.Not.Empty);

    [Test]
    public void More_than_10000_keys_are_refused()
    {
        var keys = Enumerable.Range(0, 10_001)
            .Select(i => (UploadWrappedKey?)new UploadWrappedKey(Base64Url.Encode(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))), Enc, WrappedKeyBytes))
            .ToList();
        Assert.That(FieldsAtFault(keys), Is.EqualTo(new[] { "WrappedKeys" }));
    }

    [Test]
    public void Exactly_10000_keys_are_accepted()
    {
        var keys = Enumerable.Range(0, 10_000)
            .Select(i => (UploadWrappedKey?)new UploadWrappedKey(Base64Url.Encode(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))), Enc, WrappedKeyBytes))
            .ToList();
        Assert.That(FieldsAtFault(keys), Is.Empty);
    }

    [TestCase("recipientKeyId")]
    [TestCase("enc")]
    [TestCase("wrappedKey")]
    public void A_key_with_one_malformed_field_is_refused_on_that_key(string field)
    {
        var good = Key(2);
        var bad = field switch
        {
            "recipientKeyId" => good with { RecipientKeyId = good.RecipientKeyId + "A" },
            "enc" => good with { Enc = Base64Url.Encode(new byte[65]) },
            _ => good with { WrappedKey = Base64Url.Encode(new byte[32]) },
        };

        Assert.That(FieldsAtFault([Key(1), bad]), Has.All.StartsWith("WrappedKeys[1]").And.Not.Empty);
    }
}
