using Hoomi.Application.Common.Behaviours;
using Hoomi.Application.Media;
using Hoomi.Application.Media.Commands.UploadMedia;
using Microsoft.Extensions.Options;
using Moq;
using static Hoomi.Application.Tests.Media.WireSamples;
using ValidationException = Hoomi.Application.Common.Exceptions.ValidationException;

namespace Hoomi.Application.Tests.Media.Commands.UploadMedia;

/// <summary>The real upload validator in the validation behaviour: which status code the client gets.</summary>
public sealed class UploadValidationPipelineTests
{
    private static readonly MediaOptions Media = new() { MaxSize = 10_000, MaxThumbnailSize = 1_000, AllowedMimeTypes = ["image/*"] };

    private static UploadMetadata Valid() => new(NewMediaId(), "image/png", 500, Sha, null, null, null, null, null, [Key(1)]);

    private static ValidationException Refusal(UploadMetadata metadata)
    {
        var behaviour = new ValidationBehaviour<UploadMediaCommand, UploadMediaResult>([new UploadMediaCommandValidator(Options.Create(Media))]);
        var command = new UploadMediaCommand(Guid.NewGuid(), metadata, new Mock<IUploadParts>(MockBehavior.Strict).Object);
        return Assert.ThrowsAsync<ValidationException>(async () => await behaviour.Handle(
            command, (_, _) => throw new AssertionException("an invalid upload reached its handler"), CancellationToken.None))!;
    }

    [Test]
    public void A_too_large_file_outranks_an_unsupported_type_and_plain_errors()
    {
        var error = Refusal(Valid() with { Size = 10_001, MimeType = "application/zip", Sha256 = "nope", Width = 0 });
        Assert.Multiple(() =>
        {
            Assert.That(error.Code, Is.EqualTo(ValidationException.TooLargeCode));
            Assert.That(error.Errors.Keys, Is.EquivalentTo(new[] { "size", "mimeType", "sha256", "width" }), "every field error is still listed");
        });
    }

    [Test]
    public void A_too_large_thumbnail_outranks_an_unsupported_type() =>
        Assert.That(Refusal(Valid() with { Thumbnail = new UploadThumbnail(1_001, Sha), MimeType = "application/zip" }).Code,
            Is.EqualTo(ValidationException.TooLargeCode));

    [Test]
    public void An_unsupported_type_outranks_plain_errors() =>
        Assert.That(Refusal(Valid() with { MimeType = "application/zip", Sha256 = "nope", MediaId = "x" }).Code,
            Is.EqualTo(ValidationException.UnsupportedMediaTypeCode));

    [Test]
    public void Plain_errors_alone_give_the_default_code() =>
        Assert.That(Refusal(Valid() with { Sha256 = "nope", Size = 10 }).Code, Is.EqualTo(ValidationException.DefaultCode));

    [Test]
    public void Field_names_of_wrapped_key_errors_are_in_wire_case()
    {
        var error = Refusal(Valid() with { WrappedKeys = [Key(1) with { Enc = "AA" }] });
        Assert.That(error.Errors.Keys, Is.EqualTo(new[] { "wrappedKeys[0].enc" }));
    }

    [Test]
    public async Task A_valid_upload_reaches_the_handler()
    {
        var behaviour = new ValidationBehaviour<UploadMediaCommand, UploadMediaResult>([new UploadMediaCommandValidator(Options.Create(Media))]);
        var reached = false;
        await behaviour.Handle(
            new UploadMediaCommand(Guid.NewGuid(), Valid(), new Mock<IUploadParts>(MockBehavior.Strict).Object),
            (_, _) =>
            {
                reached = true;
                return ValueTask.FromResult<UploadMediaResult>(null!);
            },
            CancellationToken.None);
        Assert.That(reached, Is.True);
    }
}
