using FluentValidation;
using Hoomi.Application.Common.Validation;

namespace Hoomi.Application.Keys.Commands.RevokeDeviceKey;

public sealed class RevokeDeviceKeyCommandValidator : AbstractValidator<RevokeDeviceKeyCommand>
{
    public RevokeDeviceKeyCommandValidator() => RuleFor(c => c.KeyId).KeyId("keyId");
}
