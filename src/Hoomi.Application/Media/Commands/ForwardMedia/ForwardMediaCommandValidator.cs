using FluentValidation;
using Hoomi.Application.Media.Commands.UploadMedia;
using Hoomi.Domain.Common;
using Microsoft.Extensions.Options;

namespace Hoomi.Application.Media.Commands.ForwardMedia;

public sealed class ForwardMediaCommandValidator : AbstractValidator<ForwardMediaCommand>
{
    public ForwardMediaCommandValidator(IOptions<MediaOptions> options)
    {
        var max = options.Value.MaxEncryptedMetadataSize;
        RuleFor(c => c.TargetHoomiId).NotEmpty();
        RuleFor(c => c.MediaId)
            .Must(MediaIds.IsCanonicalV7)
            .WithMessage("mediaId must be a new UUIDv7 in canonical lowercase hyphenated form.");
        RuleFor(c => c.EncryptedMetadata)
            .Must(m => m is null || (Base64Url.TryDecode(m, out var b) && b.Length > 28 && b.Length <= max))
            .WithMessage("encryptedMetadata must be unpadded base64url of a nonce, ciphertext and tag.");
        RuleFor(c => c.WrappedKeys).NotEmpty()
            .Must(keys => keys is null || keys.Count <= 10_000).WithMessage("wrappedKeys has more than 10000 entries.")
            .Must(keys => keys is null || keys.All(k => k is not null)).WithMessage("wrappedKeys has an empty entry.")
            .Must(keys => keys is null || keys.Where(k => k is not null).Select(k => k!.RecipientKeyId).Distinct(StringComparer.Ordinal).Count() == keys.Count(k => k is not null))
            .WithMessage("wrappedKeys names a recipient key twice.");
        RuleForEach(c => c.WrappedKeys).SetValidator(new WrappedKeyValidator());
        SenderSignatureRules.Apply(this, c => c.SenderKeyId, c => c.Signature);
    }
}
