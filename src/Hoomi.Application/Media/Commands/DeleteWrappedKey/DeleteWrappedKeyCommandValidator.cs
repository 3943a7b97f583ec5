using FluentValidation;
using Hoomi.Application.Common.Validation;

namespace Hoomi.Application.Media.Commands.DeleteWrappedKey;

public sealed class DeleteWrappedKeyCommandValidator : AbstractValidator<DeleteWrappedKeyCommand>
{
    public DeleteWrappedKeyCommandValidator() => RuleFor(c => c.KeyId).KeyId("keyId");
}
