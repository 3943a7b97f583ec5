using FluentValidation;
using Hoomi.Application.Media.WrappedKeys;

namespace Hoomi.Application.Media.Commands.ShareKeys;

public sealed class ShareKeysCommandValidator : AbstractValidator<ShareKeysCommand>
{
    public ShareKeysCommandValidator()
    {
        WrappedKeyListRules.Apply(this, c => c.WrappedKeys, new SharedWrappedKeyValidator());
    }
}
