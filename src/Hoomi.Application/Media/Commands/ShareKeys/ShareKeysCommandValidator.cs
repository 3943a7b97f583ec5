using FluentValidation;
using Hoomi.Application.Media.Commands.UploadMedia;

namespace Hoomi.Application.Media.Commands.ShareKeys;

public sealed class ShareKeysCommandValidator : AbstractValidator<ShareKeysCommand>
{
    public ShareKeysCommandValidator()
    {
        RuleFor(c => c.WrappedKeys).NotEmpty()
            .Must(keys => keys is null || keys.Count <= 10_000)
            .Must(keys => keys is null || keys.All(k => k is not null)).WithMessage("wrappedKeys has an empty entry.")
            .Must(keys => keys is null || keys.Where(k => k is not null).Select(k => k!.RecipientKeyId).Distinct(StringComparer.Ordinal).Count() == keys.Count(k => k is not null))
            .WithMessage("wrappedKeys names a recipient key twice.");
        RuleForEach(c => c.WrappedKeys).SetValidator(new SharedWrappedKeyValidator());
    }
}
