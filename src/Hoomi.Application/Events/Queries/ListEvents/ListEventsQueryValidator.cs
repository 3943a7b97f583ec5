using Hoomi.Application.Common.Validation;
using FluentValidation;

namespace Hoomi.Application.Events.Queries.ListEvents;

public sealed class ListEventsQueryValidator : AbstractValidator<ListEventsQuery>
{
    public ListEventsQueryValidator()
    {
        RuleFor(q => q.After)
            .HeaderSafe("after", 64)
            .Must(c => HoomiEventJson.TryParseCursor(c, out _))
            .WithMessage("Give the cursor of an event you received, as it was sent.");
        RuleFor(q => q.Limit).InclusiveBetween(1, ListEventsQuery.MaxLimit);
    }
}
