using FluentValidation;
using Hoomi.Application.Media.Commands.UploadMedia;
using Hoomi.Application.Media.WrappedKeys;
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
        WrappedKeyListRules.Apply(this, c => c.WrappedKeys, new WrappedKeyValidator());
        SenderSignatureRules.Apply(this, c => c.SenderKeyId, c => c.Signature);
    }
}
