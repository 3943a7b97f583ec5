using FluentValidation;

namespace Hoomi.Application.Members.Commands.AddMember;

public sealed class AddMemberCommandValidator : AbstractValidator<AddMemberCommand>
{
    public AddMemberCommandValidator()
    {
        RuleFor(c => c.UserName)
            .Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("Give the user name of the account to add.")
            .MaximumLength(256);
    }
}
