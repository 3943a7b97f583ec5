using Hoomi.Application.Common.Validation;
using FluentValidation;

namespace Hoomi.Application.Media.Queries.ListMedia;

public sealed class ListMediaQueryValidator : AbstractValidator<ListMediaQuery>
{
    public ListMediaQueryValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, ListMediaQuery.MaxLimit);
        RuleFor(q => q.Cursor).HeaderSafe("cursor", 256).Must(c => c is null || MediaCursor.TryParse(c, out _))
            .WithMessage("The cursor is not one this service returned.");
    }
}
