using Hoomi.Application.Media.WrappedKeys;
using FluentValidation.Results;
using Hoomi.Application.Media;
using Hoomi.Application.Media.Commands.UploadMedia;
using Hoomi.Domain.Common;
using Microsoft.Extensions.Options;
using Moq;
using static Hoomi.Application.Tests.Media.WireSamples;
using ValidationException = Hoomi.Application.Common.Exceptions.ValidationException;

namespace Hoomi.Application.Tests.Media.Commands.UploadMedia;

public sealed class UploadMediaCommandValidatorTests
{
    private const long MaxSize = 1_000_000;
    private const long MaxThumbnailSize = 10_000;
    private const int MaxMetadata = 100;

    private static readonly MediaOptions Options = new()
    {
        MaxSize = MaxSize,
        MaxThumbnailSize = MaxThumbnailSize,
        MaxEncryptedMetadataSize = MaxMetadata,
        AllowedMimeTypes = ["image/*", "application/pdf"],
    };

    private readonly UploadMediaCommandValidator _validator = new(Microsoft.Extensions.Options.Options.Create(Options));

    private static UploadMetadata Valid() => new(
        NewMediaId(), "image/jpeg", 5000, Sha, 640, 480, 0, EncryptedMetadata(60), new UploadThumbnail(500, Sha), [Key(1), Key(2)]);

    private static UploadMetadata Minimal() => new(NewMediaId(), "image/jpeg", 88, Sha, null, null, null, null, null, [Key(1)]);

    private static UploadMediaCommand Command(UploadMetadata metadata) => new(Guid.NewGuid(), metadata, new Mock<IUploadParts>(MockBehavior.Strict).Object);

    private ValidationResult Validate(UploadMetadata metadata) => _validator.Validate(Command(metadata));

    private string[] FieldsAtFault(UploadMetadata metadata) =>
        Validate(metadata).Errors.Select(e => e.PropertyName).Distinct().ToArray();

    private string[] CodesOf(UploadMetadata metadata) => Validate(metadata).Errors.Select(e => e.ErrorCode).Distinct().ToArray();

    private void AssertOnlyFieldAtFault(UploadMetadata metadata, string field) =>
        Assert.That(FieldsAtFault(metadata), Is.EqualTo(new[] { field }));

    // A canonical string with one unused trailing bit set: the same bytes, but not their canonical encoding.
    private static string NonCanonical(string canonical)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        Assert.That(canonical.Length % 4, Is.Not.Zero, "needs a length with unused trailing bits");
        var last = Alphabet.IndexOf(canonical[^1], StringComparison.Ordinal);
        return canonical[..^1] + Alphabet[last | 1];
    }

    [Test]
    public void A_complete_upload_is_valid() => Assert.That(Validate(Valid()).Errors, Is.Empty);

    [Test]
    public void An_upload_without_optional_fields_is_valid() => Assert.That(Validate(Minimal()).Errors, Is.Empty);

    public static IEnumerable<TestCaseData> BadMediaIds()
    {
        var v7 = Guid.CreateVersion7();
        yield return new TestCaseData(null).SetName("A_missing_media_id_is_refused");
        yield return new TestCaseData("").SetName("An_empty_media_id_is_refused");
        yield return new TestCaseData("not-a-guid").SetName("A_media_id_that_is_no_uuid_is_refused");
        yield return new TestCaseData(Guid.NewGuid().ToString("D")).SetName("A_v4_media_id_is_refused");
        yield return new TestCaseData(Guid.Empty.ToString("D")).SetName("The_nil_uuid_as_media_id_is_refused");
        yield return new TestCaseData(v7.ToString("D").ToUpperInvariant()).SetName("An_upper_case_media_id_is_refused");
        yield return new TestCaseData(v7.ToString("N")).SetName("A_media_id_without_hyphens_is_refused");
        yield return new TestCaseData(v7.ToString("B")).SetName("A_media_id_in_braces_is_refused");
        yield return new TestCaseData(" " + v7.ToString("D")).SetName("A_media_id_with_surrounding_space_is_refused");
    }

    [TestCaseSource(nameof(BadMediaIds))]
    public void A_media_id_that_is_not_a_canonical_uuidv7_is_refused_on_media_id(string? mediaId) =>
        AssertOnlyFieldAtFault(Valid() with { MediaId = mediaId }, "mediaId");

    [TestCase(null)]
    [TestCase("")]
    public void A_missing_mime_type_is_a_plain_field_error(string? mimeType)
    {
        var metadata = Valid() with { MimeType = mimeType };
        Assert.Multiple(() =>
        {
            Assert.That(FieldsAtFault(metadata), Is.EqualTo(new[] { "mimeType" }));
            Assert.That(CodesOf(metadata), Does.Not.Contain(ValidationException.UnsupportedMediaTypeCode));
        });
    }

    [Test]
    public void A_mime_type_longer_than_255_characters_is_a_plain_field_error()
    {
        var metadata = Valid() with { MimeType = "image/" + new string('x', 250) };
        Assert.Multiple(() =>
        {
            Assert.That(FieldsAtFault(metadata), Is.EqualTo(new[] { "mimeType" }));
            Assert.That(CodesOf(metadata), Does.Not.Contain(ValidationException.UnsupportedMediaTypeCode));
        });
    }

    [Test]
    public void A_mime_type_of_255_characters_is_accepted() =>
        Assert.That(Validate(Valid() with { MimeType = "image/" + new string('x', 249) }).Errors, Is.Empty);

    [TestCase("application/zip")]
    [TestCase("video/mp4")]
    [TestCase("image/")]
    [TestCase("application/pdfx")]
    public void A_mime_type_outside_the_allowed_list_is_refused_as_unsupported_media_type(string mimeType)
    {
        var metadata = Valid() with { MimeType = mimeType };
        Assert.Multiple(() =>
        {
            Assert.That(FieldsAtFault(metadata), Is.EqualTo(new[] { "mimeType" }));
            Assert.That(CodesOf(metadata), Is.EqualTo(new[] { ValidationException.UnsupportedMediaTypeCode }));
        });
    }

    [TestCase("IMAGE/PNG")]
    [TestCase("image/svg+xml; charset=utf-8")]
    [TestCase("Application/PDF")]
    public void An_allowed_mime_type_is_accepted_whatever_its_case_and_parameters(string mimeType) =>
        Assert.That(Validate(Valid() with { MimeType = mimeType }).Errors, Is.Empty);

    [Test]
    public void A_missing_size_is_refused_on_size() => AssertOnlyFieldAtFault(Valid() with { Size = null }, "size");

    [TestCase(-1L)]
    [TestCase(0L)]
    [TestCase(87L)]
    public void A_size_below_an_empty_hme1_stream_is_a_plain_field_error(long size)
    {
        var metadata = Valid() with { Size = size };
        Assert.Multiple(() =>
        {
            Assert.That(FieldsAtFault(metadata), Is.EqualTo(new[] { "size" }));
            Assert.That(CodesOf(metadata), Does.Not.Contain(ValidationException.TooLargeCode));
        });
    }

    [TestCase(88L)]
    [TestCase(MaxSize)]
    public void A_size_between_88_and_the_maximum_is_accepted(long size) =>
        Assert.That(Validate(Valid() with { Size = size }).Errors, Is.Empty);

    [TestCase(MaxSize + 1)]
    [TestCase(long.MaxValue)]
    public void A_size_above_the_maximum_is_refused_as_too_large(long size)
    {
        var metadata = Valid() with { Size = size };
        Assert.Multiple(() =>
        {
            Assert.That(FieldsAtFault(metadata), Is.EqualTo(new[] { "size" }));
            Assert.That(CodesOf(metadata), Is.EqualTo(new[] { ValidationException.TooLargeCode }));
        });
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF")]
    [TestCase("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde")]
    [TestCase("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0")]
    public void A_sha256_that_is_not_64_lowercase_hex_characters_is_refused(string? sha) =>
        AssertOnlyFieldAtFault(Valid() with { Sha256 = sha }, "sha256");

    [TestCase(0)]
    [TestCase(-1)]
    public void A_width_that_is_not_positive_is_refused(int width) => AssertOnlyFieldAtFault(Valid() with { Width = width }, "width");

    [TestCase(0)]
    [TestCase(-1)]
    public void A_height_that_is_not_positive_is_refused(int height) => AssertOnlyFieldAtFault(Valid() with { Height = height }, "height");

    [Test]
    public void A_negative_duration_is_refused() => AssertOnlyFieldAtFault(Valid() with { DurationMs = -1 }, "durationMs");

    [TestCase(29)]
    [TestCase(MaxMetadata)]
    public void Encrypted_metadata_of_nonce_tag_and_at_least_one_byte_up_to_the_maximum_is_accepted(int bytes) =>
        Assert.That(Validate(Valid() with { EncryptedMetadata = EncryptedMetadata(bytes) }).Errors, Is.Empty);

    public static IEnumerable<TestCaseData> BadEncryptedMetadata()
    {
        var canonical = EncryptedMetadata(29);
        yield return new TestCaseData("").SetName("Empty_encrypted_metadata_is_refused");
        yield return new TestCaseData(EncryptedMetadata(28)).SetName("Encrypted_metadata_of_only_nonce_and_tag_is_refused");
        yield return new TestCaseData(EncryptedMetadata(MaxMetadata + 1)).SetName("Encrypted_metadata_above_the_maximum_is_refused");
        yield return new TestCaseData(canonical + "=").SetName("Padded_encrypted_metadata_is_refused");
        yield return new TestCaseData(Convert.ToBase64String(Enumerable.Repeat((byte)0xFB, 30).ToArray())).SetName("Encrypted_metadata_in_standard_base64_is_refused");
        yield return new TestCaseData(NonCanonical(canonical)).SetName("Encrypted_metadata_with_non_zero_trailing_bits_is_refused");
        yield return new TestCaseData(canonical[..^1] + " ").SetName("Encrypted_metadata_with_a_space_is_refused");
    }

    [TestCaseSource(nameof(BadEncryptedMetadata))]
    public void Encrypted_metadata_that_is_not_canonical_base64url_of_the_right_size_is_refused(string encryptedMetadata) =>
        AssertOnlyFieldAtFault(Valid() with { EncryptedMetadata = encryptedMetadata }, "encryptedMetadata");

    [Test]
    public void A_thumbnail_without_size_is_refused_on_thumbnail_size() =>
        AssertOnlyFieldAtFault(Valid() with { Thumbnail = new UploadThumbnail(null, Sha) }, "thumbnail.size");

    [TestCase(0L)]
    [TestCase(87L)]
    public void A_thumbnail_smaller_than_an_empty_hme1_stream_is_a_plain_field_error(long size)
    {
        var metadata = Valid() with { Thumbnail = new UploadThumbnail(size, Sha) };
        Assert.Multiple(() =>
        {
            Assert.That(FieldsAtFault(metadata), Is.EqualTo(new[] { "thumbnail.size" }));
            Assert.That(CodesOf(metadata), Does.Not.Contain(ValidationException.TooLargeCode));
        });
    }

    [TestCase(88L)]
    [TestCase(MaxThumbnailSize)]
    public void A_thumbnail_up_to_its_maximum_is_accepted(long size) =>
        Assert.That(Validate(Valid() with { Thumbnail = new UploadThumbnail(size, Sha) }).Errors, Is.Empty);

    [Test]
    public void A_thumbnail_above_its_maximum_is_refused_as_too_large()
    {
        var metadata = Valid() with { Thumbnail = new UploadThumbnail(MaxThumbnailSize + 1, Sha) };
        Assert.Multiple(() =>
        {
            Assert.That(FieldsAtFault(metadata), Is.EqualTo(new[] { "thumbnail.size" }));
            Assert.That(CodesOf(metadata), Is.EqualTo(new[] { ValidationException.TooLargeCode }));
        });
    }

    [TestCase(null)]
    [TestCase("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF")]
    public void A_thumbnail_with_a_bad_sha256_is_refused_on_thumbnail_sha256(string? sha) =>
        AssertOnlyFieldAtFault(Valid() with { Thumbnail = new UploadThumbnail(500, sha) }, "thumbnail.sha256");

    [TestCase(null)]
    [TestCase(0)]
    public void Missing_or_empty_wrapped_keys_are_refused(int? count)
    {
        var metadata = Valid() with { WrappedKeys = count is null ? null : [] };
        AssertOnlyFieldAtFault(metadata, "wrappedKeys");
    }

    [Test]
    public void Two_wrapped_keys_for_the_same_recipient_key_are_refused()
    {
        var metadata = Valid() with { WrappedKeys = [Key(1), Key(2), Key(1) with { WrappedKey = Base64Url.Encode(new byte[48]) }] };
        var errors = Validate(metadata).Errors;
        Assert.Multiple(() =>
        {
            Assert.That(errors.Select(e => e.PropertyName).Distinct(), Is.EqualTo(new[] { "wrappedKeys" }));
            Assert.That(errors.Select(e => e.ErrorMessage), Has.Some.Contains("twice"));
        });
    }

    [Test]
    public void More_than_10000_wrapped_keys_are_refused()
    {
        var keys = Enumerable.Range(0, 10_001).Select(i => new UploadWrappedKey(Base64Url.Encode(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))), Enc, WrappedKeyBytes)).ToList();
        Assert.That(FieldsAtFault(Valid() with { WrappedKeys = keys }), Does.Contain("wrappedKeys"));
    }

    [Test]
    public void A_null_wrapped_key_entry_is_refused() =>
        Assert.That(Validate(Valid() with { WrappedKeys = [Key(1), null] }).IsValid, Is.False);

    public static IEnumerable<TestCaseData> BadWrappedKeys()
    {
        var good = Key(1);
        var enc = Enc;
        yield return new TestCaseData(good with { RecipientKeyId = null }).SetName("A_missing_recipient_key_id_is_refused");
        yield return new TestCaseData(good with { RecipientKeyId = good.RecipientKeyId![..42] }).SetName("A_42_character_recipient_key_id_is_refused");
        yield return new TestCaseData(good with { RecipientKeyId = good.RecipientKeyId + "=" }).SetName("A_padded_recipient_key_id_is_refused");
        yield return new TestCaseData(good with { RecipientKeyId = NonCanonical(good.RecipientKeyId!) }).SetName("A_non_canonical_recipient_key_id_is_refused");
        yield return new TestCaseData(good with { Enc = null }).SetName("A_missing_enc_is_refused");
        yield return new TestCaseData(good with { Enc = enc + "=" }).SetName("A_padded_enc_is_refused");
        yield return new TestCaseData(good with { Enc = enc[..1] + "+" + enc[2..] }).SetName("An_enc_with_a_plus_is_refused");
        yield return new TestCaseData(good with { Enc = enc[..1] + "/" + enc[2..] }).SetName("An_enc_with_a_slash_is_refused");
        yield return new TestCaseData(good with { Enc = NonCanonical(enc) }).SetName("An_enc_with_non_zero_trailing_bits_is_refused");
        yield return new TestCaseData(good with { Enc = Base64Url.Encode(NewPoint().AsSpan(0, 64)) }).SetName("A_64_byte_enc_is_refused");
        yield return new TestCaseData(good with { Enc = Base64Url.Encode((byte[])[0x04, .. Enumerable.Repeat((byte)1, 64)]) }).SetName("An_enc_off_the_curve_is_refused");
        yield return new TestCaseData(good with { Enc = Base64Url.Encode((byte[])[0x02, .. NewPoint()[1..65]]) }).SetName("An_enc_without_the_uncompressed_prefix_is_refused");
        yield return new TestCaseData(good with { WrappedKey = null }).SetName("A_missing_wrapped_key_is_refused");
        yield return new TestCaseData(good with { WrappedKey = Base64Url.Encode(new byte[47]) }).SetName("A_47_byte_wrapped_key_is_refused");
        yield return new TestCaseData(good with { WrappedKey = Base64Url.Encode(new byte[49]) }).SetName("A_49_byte_wrapped_key_is_refused");
        yield return new TestCaseData(good with { WrappedKey = Convert.ToBase64String(Enumerable.Repeat((byte)0xFF, 48).ToArray()) }).SetName("A_wrapped_key_in_standard_base64_is_refused");
        yield return new TestCaseData(good with { WrappedKey = Base64Url.Encode(new byte[47]) + "==" }).SetName("A_padded_wrapped_key_is_refused");
    }

    [TestCaseSource(nameof(BadWrappedKeys))]
    public void A_malformed_wrapped_key_is_refused_on_that_wrapped_key_only(UploadWrappedKey key)
    {
        var fields = FieldsAtFault(Valid() with { WrappedKeys = [Key(2), key] });
        Assert.Multiple(() =>
        {
            Assert.That(fields, Is.Not.Empty);
            Assert.That(fields, Has.All.StartsWith("wrappedKeys[1]"));
        });
    }

    [Test]
    public void Several_problems_are_reported_together()
    {
        var metadata = Valid() with { MediaId = "x", Sha256 = "y", Width = 0, WrappedKeys = [] };
        Assert.That(FieldsAtFault(metadata), Is.EquivalentTo(new[] { "mediaId", "sha256", "width", "wrappedKeys" }));
    }

    [Test]
    public void An_empty_wrapped_key_entry_is_named_as_such()
    {
        var errors = Validate(Valid() with { WrappedKeys = [Key(1), null] }).Errors.Select(e => e.ErrorMessage).ToList();
        Assert.That(errors, Does.Contain("wrappedKeys has an empty entry."));
        Assert.That(errors, Does.Not.Contain("wrappedKeys names a recipient key twice."));
    }

    [Test]
    public void A_signed_upload_names_the_sender_key_and_a_64_byte_signature() =>
        Assert.That(FieldsAtFault(Valid() with { SenderKeyId = KeyId(9), Signature = SignatureBytes }), Is.Empty);

    [Test]
    public void Sender_key_and_signature_come_together()
    {
        Assert.Multiple(() =>
        {
            AssertOnlyFieldAtFault(Valid() with { SenderKeyId = KeyId(9) }, "signature");
            AssertOnlyFieldAtFault(Valid() with { Signature = SignatureBytes }, "senderKeyId");
        });
    }

    [TestCase(0)]
    [TestCase(63)]
    [TestCase(65)]
    public void A_signature_that_is_not_64_bytes_is_refused(int length) =>
        AssertOnlyFieldAtFault(Valid() with { SenderKeyId = KeyId(9), Signature = Base64Url.Encode(new byte[length]) }, "signature");

    [Test]
    public void A_sender_key_id_that_is_not_43_characters_is_refused() =>
        AssertOnlyFieldAtFault(Valid() with { SenderKeyId = "short", Signature = SignatureBytes }, "senderKeyId");
}
