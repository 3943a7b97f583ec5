using FluentValidation;
using Hoomi.Application.Common.Validation;

namespace Hoomi.Application.Members.Commands.AddMember;

public sealed class AddMemberCommandValidator : AbstractValidator<AddMemberCommand>
{
    public AddMemberCommandValidator()
    {
        RuleFor(c => c.UserName).Cascade(CascadeMode.Stop)
            .Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("Give the user name of the account to add.")
            .PlainText("userName", 256);
    }
}
