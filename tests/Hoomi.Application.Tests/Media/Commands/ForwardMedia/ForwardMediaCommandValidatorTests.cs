using Hoomi.Application.Media.WrappedKeys;
using Hoomi.Application.Media;
using Hoomi.Application.Media.Commands.ForwardMedia;
using Hoomi.Application.Media.Commands.UploadMedia;
using Microsoft.Extensions.Options;
using static Hoomi.Application.Tests.Media.WireSamples;

namespace Hoomi.Application.Tests.Media.Commands.ForwardMedia;

public sealed class ForwardMediaCommandValidatorTests
{
    private const int MaxMetadata = 64;

    private readonly ForwardMediaCommandValidator _validator = new(Options.Create(new MediaOptions { MaxEncryptedMetadataSize = MaxMetadata }));

    private static ForwardMediaCommand Valid() =>
        new(Guid.NewGuid(), Guid.NewGuid(), NewMediaId(), EncryptedMetadata(40), [Key(1), Key(2)]);

    private string[] FieldsAtFault(ForwardMediaCommand command) =>
        _validator.Validate(command).Errors.Select(e => e.PropertyName).Distinct().ToArray();

    [Test]
    public void A_forward_with_a_new_uuidv7_and_keys_is_valid() => Assert.That(FieldsAtFault(Valid()), Is.Empty);

    private static UploadWrappedKey? DistinctKey(int i) =>
        new(Hoomi.Domain.Common.Base64Url.Encode(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))), Enc, WrappedKeyBytes);

    [Test]
    public void More_than_10000_wraps_are_refused_like_an_upload_with_as_many()
    {
        Assert.That(FieldsAtFault(Valid() with { WrappedKeys = [.. Enumerable.Range(1, 10_000).Select(DistinctKey)] }), Is.Empty, "10000 is still allowed");
        Assert.That(FieldsAtFault(Valid() with { WrappedKeys = [.. Enumerable.Range(1, 10_001).Select(DistinctKey)] }), Is.EqualTo(new[] { "wrappedKeys" }));
    }

    [Test]
    public void Encrypted_metadata_is_optional() => Assert.That(FieldsAtFault(Valid() with { EncryptedMetadata = null }), Is.Empty);

    [Test]
    public void An_empty_target_hoomi_is_refused() =>
        Assert.That(FieldsAtFault(Valid() with { TargetHoomiId = Guid.Empty }), Is.EqualTo(new[] { "TargetHoomiId" }));

    public static IEnumerable<TestCaseData> BadMediaIds()
    {
        var v7 = Guid.CreateVersion7();
        yield return new TestCaseData(null).SetName("A_forward_without_media_id_is_refused");
        yield return new TestCaseData(Guid.NewGuid().ToString("D")).SetName("A_forward_with_a_v4_media_id_is_refused");
        yield return new TestCaseData(v7.ToString("D").ToUpperInvariant()).SetName("A_forward_with_an_upper_case_media_id_is_refused");
        yield return new TestCaseData(v7.ToString("N")).SetName("A_forward_with_an_unhyphenated_media_id_is_refused");
    }

    [TestCaseSource(nameof(BadMediaIds))]
    public void A_media_id_that_is_not_a_canonical_uuidv7_is_refused(string? mediaId) =>
        Assert.That(FieldsAtFault(Valid() with { MediaId = mediaId }), Is.EqualTo(new[] { "MediaId" }));

    [TestCase(28)]
    [TestCase(MaxMetadata + 1)]
    public void Encrypted_metadata_of_the_wrong_size_is_refused(int bytes) =>
        Assert.That(FieldsAtFault(Valid() with { EncryptedMetadata = EncryptedMetadata(bytes) }), Is.EqualTo(new[] { "EncryptedMetadata" }));

    [Test]
    public void Padded_encrypted_metadata_is_refused() =>
        Assert.That(FieldsAtFault(Valid() with { EncryptedMetadata = EncryptedMetadata(29) + "=" }), Is.EqualTo(new[] { "EncryptedMetadata" }));

    [Test]
    public void Encrypted_metadata_of_the_configured_maximum_is_accepted() =>
        Assert.That(FieldsAtFault(Valid() with { EncryptedMetadata = EncryptedMetadata(MaxMetadata) }), Is.Empty);

    [TestCase(null)]
    [TestCase(0)]
    public void Missing_or_empty_wrapped_keys_are_refused(int? count) =>
        Assert.That(FieldsAtFault(Valid() with { WrappedKeys = count is null ? null : [] }), Is.EqualTo(new[] { "wrappedKeys" }));

    [Test]
    public void Two_wrapped_keys_for_the_same_recipient_key_are_refused() =>
        Assert.That(FieldsAtFault(Valid() with { WrappedKeys = [Key(1), Key(1)] }), Is.EqualTo(new[] { "wrappedKeys" }));

    [Test]
    public void A_malformed_wrapped_key_is_refused_on_that_key()
    {
        UploadWrappedKey bad = Key(2) with { WrappedKey = Key(2).WrappedKey + "=" };
        Assert.That(FieldsAtFault(Valid() with { WrappedKeys = [Key(1), bad] }), Has.All.StartsWith("wrappedKeys[1]").And.Not.Empty);
    }

    [Test]
    public void A_signed_forward_names_the_sender_key_and_a_64_byte_signature() =>
        Assert.That(FieldsAtFault(Valid() with { SenderKeyId = KeyId(9), Signature = SignatureBytes }), Is.Empty);

    [Test]
    public void A_sender_key_without_signature_or_the_reverse_is_refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(FieldsAtFault(Valid() with { SenderKeyId = KeyId(9) }), Is.EqualTo(new[] { "signature" }));
            Assert.That(FieldsAtFault(Valid() with { Signature = SignatureBytes }), Is.EqualTo(new[] { "senderKeyId" }));
        });
    }

    [Test]
    public void A_signature_that_is_not_64_bytes_is_refused() =>
        Assert.That(FieldsAtFault(Valid() with { SenderKeyId = KeyId(9), Signature = Hoomi.Domain.Common.Base64Url.Encode(new byte[65]) }),
            Is.EqualTo(new[] { "signature" }));
}
