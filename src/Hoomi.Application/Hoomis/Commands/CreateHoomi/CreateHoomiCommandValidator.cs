using Hoomi.Application.Common.Validation;
using FluentValidation;
using Hoomi.Domain.Hoomis;

namespace Hoomi.Application.Hoomis.Commands.CreateHoomi;

public sealed class CreateHoomiCommandValidator : AbstractValidator<CreateHoomiCommand>
{
    public CreateHoomiCommandValidator()
    {
        RuleFor(c => c.Name)
            .Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("A hoomi needs a name.")
            .PlainText("name", HoomiGroup.MaxNameLength);
    }
}
