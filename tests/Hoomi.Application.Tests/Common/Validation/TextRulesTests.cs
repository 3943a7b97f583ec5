using Hoomi.Application.Media.WrappedKeys;
using Hoomi.Application.Common.Validation;
using Hoomi.Application.Events.Queries.ListEvents;
using Hoomi.Application.Hoomis.Commands.CreateHoomi;
using Hoomi.Application.Keys.Commands.RegisterDeviceKey;
using Hoomi.Application.Keys.Commands.RevokeDeviceKey;
using Hoomi.Application.Media;
using Hoomi.Application.Media.Commands.DeleteWrappedKey;
using Hoomi.Application.Media.Commands.UploadMedia;
using Hoomi.Application.Media.Queries.ListMedia;
using Moq;

namespace Hoomi.Application.Tests.Common.Validation;

/// <summary>The shared text rules, and every field that uses them refusing what they refuse (each on its own field).</summary>
public sealed class TextRulesTests
{
    private const string GoodKeyId = "lI20Fp4pPAQUSgLaWOlCDW1n8ZMn92ckvWYCOaTSY78";

    public static IEnumerable<TestCaseData> NotPlainText()
    {
        yield return new TestCaseData("Fam\r\nily").SetName("CR LF is not plain text");
        yield return new TestCaseData("Fam\nily").SetName("LF is not plain text");
        yield return new TestCaseData("Fam\tily").SetName("a tab is not plain text");
        yield return new TestCaseData("Fam\0ily").SetName("NUL is not plain text");
        yield return new TestCaseData("Fam\u007Fily").SetName("DEL is not plain text");
        yield return new TestCaseData("Fam\u0085ily").SetName("a C1 control (NEL) is not plain text");
        yield return new TestCaseData("Fam\u202Eylimaf").SetName("a right-to-left override is not plain text");
        yield return new TestCaseData("Fam\u2066ily\u2069").SetName("a bidirectional isolate is not plain text");
        yield return new TestCaseData("Fam\u200Fily").SetName("a right-to-left mark is not plain text");
        yield return new TestCaseData("Fam\u2028ily").SetName("a line separator is not plain text");
        yield return new TestCaseData("\uFEFFFamily").SetName("a byte-order mark is not plain text");
        yield return new TestCaseData("Fam\uD800ily").SetName("an unpaired high surrogate is not plain text");
        yield return new TestCaseData("Fam\uDC00ily").SetName("an unpaired low surrogate is not plain text");
        yield return new TestCaseData("Fam\uFDD0ily").SetName("a noncharacter is not plain text");
        yield return new TestCaseData("Fam" + char.ConvertFromUtf32(0x1FFFF) + "ily").SetName("a plane noncharacter is not plain text");
    }

    [TestCaseSource(nameof(NotPlainText))]
    public void Refused_as_plain_text(string text) => Assert.That(TextRules.IsPlainText(text), Is.False);

    [TestCase("Family")]
    [TestCase("Famille Müller-Łukasiewicz")]
    [TestCase("家族")]
    [TestCase("עברית ועربي")]
    [TestCase("👨‍👩‍👧 Family")] // the zero-width joiner of an emoji sequence is allowed
    public void Accepted_as_plain_text(string text) => Assert.That(TextRules.IsPlainText(text), Is.True);

    [TestCase("image/jpeg", true)]
    [TestCase("text/plain; charset=utf-8", true)]
    [TestCase("image/jpeg\r\nSet-Cookie: a=b", false)]
    [TestCase("image/jpeg\n", false)]
    [TestCase("image/jpég", false)]
    [TestCase("image/\u0000jpeg", false)]
    public void Header_safe_is_printable_ascii(string text, bool safe) => Assert.That(TextRules.IsHeaderSafe(text), Is.EqualTo(safe));

    [Test]
    public void A_hoomi_name_with_a_line_break_or_an_override_is_refused_on_name()
    {
        var validator = new CreateHoomiCommandValidator();
        Assert.That(validator.Validate(new CreateHoomiCommand("Family 👨‍👩‍👧")).IsValid, Is.True);
        foreach (var bad in new[] { "Fam\r\nily", "Fam\u202Eily", "Fam\u0007ily", new string('a', 101) })
        {
            Assert.That(validator.Validate(new CreateHoomiCommand(bad)).Errors.Select(e => e.PropertyName).Distinct(), Is.EqualTo(new[] { "Name" }), bad);
        }
    }

    [Test]
    public void A_mime_type_with_a_line_break_or_non_ascii_is_refused_on_mime_type_as_a_plain_field_error()
    {
        var validator = new UploadMediaCommandValidator(Microsoft.Extensions.Options.Options.Create(new MediaOptions()));
        foreach (var bad in new[] { "image/jpeg\r\nX-Evil: 1", "image/jpeg\n", "image/jpég", "image/jpeg\u0000" })
        {
            var metadata = new UploadMetadata(Guid.CreateVersion7().ToString(), bad, 100, new string('a', 64), null, null, null, null, null,
                [new UploadWrappedKey(GoodKeyId, null, null)]);
            var errors = validator.Validate(new UploadMediaCommand(Guid.NewGuid(), metadata, Mock.Of<IUploadParts>())).Errors
                .Where(e => e.PropertyName == "mimeType").ToList();
            Assert.That(errors, Is.Not.Empty, bad);
            Assert.That(errors.Select(e => e.ErrorCode), Has.None.EqualTo(Hoomi.Application.Common.Exceptions.ValidationException.UnsupportedMediaTypeCode),
                "a malformed type is a 400, not a 415");
        }
    }

    [TestCase("not-a-key-id")]
    [TestCase(GoodKeyId + "\r\n")]
    [TestCase("lI20Fp4pPAQUSgLaWOlCDW1n8ZMn92ckvWYCOaTSY7=")]
    [TestCase("")]
    public void A_malformed_key_id_is_refused_by_revoke_and_by_wrap_removal(string keyId)
    {
        Assert.That(new RevokeDeviceKeyCommandValidator().Validate(new RevokeDeviceKeyCommand(keyId)).Errors.Select(e => e.PropertyName),
            Is.EqualTo(new[] { "KeyId" }));
        Assert.That(new DeleteWrappedKeyCommandValidator().Validate(new DeleteWrappedKeyCommand(Guid.NewGuid(), keyId)).Errors.Select(e => e.PropertyName),
            Is.EqualTo(new[] { "KeyId" }));
    }

    [Test]
    public void A_well_formed_key_id_passes_revoke_and_wrap_removal()
    {
        Assert.That(new RevokeDeviceKeyCommandValidator().Validate(new RevokeDeviceKeyCommand(GoodKeyId)).IsValid, Is.True);
        Assert.That(new DeleteWrappedKeyCommandValidator().Validate(new DeleteWrappedKeyCommand(Guid.NewGuid(), GoodKeyId)).IsValid, Is.True);
    }

    [Test]
    public void Device_certificate_fields_are_bounded_and_printable()
    {
        var validator = new RegisterDeviceKeyCommandValidator();
        var huge = new string('A', 10_000);
        var result = validator.Validate(new RegisterDeviceKeyCommand(GoodKeyId, "AAAA", huge, "AA\r\nAA", huge));
        var fields = result.Errors.Select(e => e.PropertyName).ToHashSet();
        Assert.That(fields, Is.SupersetOf(new[] { "SigningKey", "IdentityKey", "Signature" }));
    }

    [Test]
    public void Cursors_with_line_breaks_or_too_long_are_refused()
    {
        Assert.That(new ListMediaQueryValidator().Validate(new ListMediaQuery(Guid.NewGuid(), "abc\r\ndef")).Errors.Select(e => e.PropertyName),
            Has.Member("Cursor"));
        Assert.That(new ListMediaQueryValidator().Validate(new ListMediaQuery(Guid.NewGuid(), new string('a', 300))).Errors.Select(e => e.PropertyName),
            Has.Member("Cursor"));
        Assert.That(new ListEventsQueryValidator().Validate(new ListEventsQuery(Guid.NewGuid(), "1\r\n2", 10)).Errors.Select(e => e.PropertyName),
            Has.Member("After"));
    }
}
