using Hoomi.Application.Common.Validation;
using FluentValidation;
using Hoomi.Application.Media.WrappedKeys;
using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;
using Hoomi.Domain.Media;
using Microsoft.Extensions.Options;
using ValidationException = Hoomi.Application.Common.Exceptions.ValidationException;

namespace Hoomi.Application.Media.Commands.UploadMedia;

/// <summary>Everything that can be checked of an upload before the first byte of its <c>file</c> part is read.</summary>
public sealed class UploadMediaCommandValidator : AbstractValidator<UploadMediaCommand>
{
    public UploadMediaCommandValidator(IOptions<MediaOptions> options)
    {
        var media = options.Value;
        RuleFor(c => c.Metadata.MediaId)
            .Must(MediaIds.IsCanonicalV7)
            .WithMessage("mediaId must be a UUIDv7 in canonical lowercase hyphenated form, chosen by the client.")
            .OverridePropertyName("mediaId");
        RuleFor(c => c.Metadata.MimeType)
            .NotEmpty().WithMessage("mimeType is required.").OverridePropertyName("mimeType")
            .HeaderSafe("mimeType", 255).OverridePropertyName("mimeType");
        RuleFor(c => c.Metadata.MimeType)
            .Must(media.IsAllowed).WithErrorCode(ValidationException.UnsupportedMediaTypeCode)
            .WithMessage(c => $"The MIME type '{c.Metadata.MimeType}' is not allowed here.").OverridePropertyName("mimeType")
            .When(c => !string.IsNullOrWhiteSpace(c.Metadata.MimeType) && c.Metadata.MimeType.Length <= 255 && TextRules.IsHeaderSafe(c.Metadata.MimeType));
        RuleFor(c => c.Metadata.Size)
            .NotNull().WithMessage("size is required.").OverridePropertyName("size")
            .GreaterThanOrEqualTo(Hme1Format.HeaderLength + Hme1Format.TagLength)
            .WithMessage("size is the ciphertext length in bytes: at least 88 (an HME1 header and one empty segment).").OverridePropertyName("size")
            .LessThanOrEqualTo(media.MaxSize).WithErrorCode(ValidationException.TooLargeCode)
            .WithMessage($"The file is larger than the {media.MaxSize} bytes allowed.").OverridePropertyName("size");
        When(c => c.Metadata.TrailingSeal != true, () =>
        {
            RuleFor(c => c.Metadata.Sha256)
                .Must(MediaItem.IsLowerHexSha256).WithMessage("sha256 must be 64 lowercase hex characters.").OverridePropertyName("sha256");
            SenderSignatureRules.Apply(this, c => c.Metadata.SenderKeyId, c => c.Metadata.Signature);
        }).Otherwise(() =>
        {
            // One pass: the hash (and the signature that covers it) come in the final seal part instead.
            RuleFor(c => c.Metadata.Sha256).Null().WithMessage("With trailingSeal, sha256 comes in the seal part, not in metadata.").OverridePropertyName("sha256");
            RuleFor(c => c.Metadata.Signature).Null().WithMessage("With trailingSeal, signature comes in the seal part, not in metadata.").OverridePropertyName("signature");
            SenderSignatureRules.Apply(this, c => c.Metadata.SenderKeyId, _ => null, signatureFollows: true);
        });
        RuleFor(c => c.Metadata.Width).GreaterThan(0).OverridePropertyName("width");
        RuleFor(c => c.Metadata.Height).GreaterThan(0).OverridePropertyName("height");
        RuleFor(c => c.Metadata.DurationMs).GreaterThanOrEqualTo(0).OverridePropertyName("durationMs");
        RuleFor(c => c.Metadata.EncryptedMetadata)
            .Must(m => m is null || (Base64Url.TryDecode(m, out var b) && b.Length is > 28 && b.Length <= media.MaxEncryptedMetadataSize))
            .WithMessage($"encryptedMetadata must be unpadded base64url of a nonce, ciphertext and tag (at most {media.MaxEncryptedMetadataSize} bytes).")
            .OverridePropertyName("encryptedMetadata");
        When(c => c.Metadata.Thumbnail is not null, () =>
        {
            RuleFor(c => c.Metadata.Thumbnail!.Size)
                .NotNull().OverridePropertyName("thumbnail.size")
                .GreaterThanOrEqualTo(Hme1Format.HeaderLength + Hme1Format.TagLength).OverridePropertyName("thumbnail.size")
                .LessThanOrEqualTo(media.MaxThumbnailSize).WithErrorCode(ValidationException.TooLargeCode)
                .WithMessage($"A thumbnail is at most {media.MaxThumbnailSize} bytes.").OverridePropertyName("thumbnail.size");
            RuleFor(c => c.Metadata.Thumbnail!.Sha256)
                .Must(MediaItem.IsLowerHexSha256).WithMessage("thumbnail.sha256 must be 64 lowercase hex characters.").OverridePropertyName("thumbnail.sha256");
        });
        WrappedKeyListRules.Apply(this, c => c.Metadata.WrappedKeys, new WrappedKeyValidator());
    }
}

/// <summary>
/// The item signature of an upload or forward (hoomi-e2ee-2): <c>senderKeyId</c> and <c>signature</c> together
/// or neither; a key id of 43 characters and a 64-byte signature. Whose key it is, the handler checks.
/// </summary>
public static class SenderSignatureRules
{
    public static void Apply<T>(AbstractValidator<T> validator, Func<T, string?> senderKeyId, Func<T, string?> signature, bool signatureFollows = false)
    {
        validator.RuleFor(c => senderKeyId(c))
            .NotNull().When(c => signature(c) is not null).WithMessage("senderKeyId and signature come together: senderKeyId is missing.")
            .Must(id => id is null || TextRules.IsKeyId(id)).WithMessage("senderKeyId must be a 43-character key id.")
            .OverridePropertyName("senderKeyId");
        validator.RuleFor(c => signature(c))
            .NotNull().When(c => !signatureFollows && senderKeyId(c) is not null).WithMessage("senderKeyId and signature come together: signature is missing.")
            .Must(s => s is null || Base64Url.IsOfLength(s, EcdsaSignature.Length))
            .WithMessage("signature must be a 64-byte ECDSA P-256 signature (IEEE P1363 r || s) in unpadded base64url.")
            .OverridePropertyName("signature");
    }
}
