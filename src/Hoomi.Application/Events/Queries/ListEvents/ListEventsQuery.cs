using Hoomi.Application.Common.Authorization;
using System.Text.Json.Nodes;
using Hoomi.Application.Common;
using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Common.Models;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Events.Queries.ListEvents;

/// <summary>
/// What a member missed: the hoomi's events after <see cref="After"/> (the cursor of the last event the
/// client saw, live or here), oldest first. <c>nextCursor</c> is set while more pages remain.
/// </summary>
public sealed record ListEventsQuery(Guid HoomiId, string? After, int? Limit) : IQuery<PagedResult<JsonObject>>, IHoomiRequest
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;
}

public sealed class ListEventsQueryHandler(IHoomiDbContext db) : IQueryHandler<ListEventsQuery, PagedResult<JsonObject>>
{
    public async ValueTask<PagedResult<JsonObject>> Handle(ListEventsQuery query, CancellationToken cancellationToken)
    {
        if (!HoomiEventJson.TryParseCursor(query.After, out var after))
        {
            throw ValidationException.For("after", "Give the cursor of an event you received, as it was sent."); // the validator already said so
        }

        var limit = query.Limit ?? ListEventsQuery.DefaultLimit;
        if (after > 0)
        {
            // Entries older than the journal's retention are pruned: a cursor before the oldest one kept
            // cannot be continued without a gap, and saying so beats silently skipping events.
            var oldest = await db.HoomiEvents.AsNoTracking().Where(e => e.HoomiId == query.HoomiId)
                .MinAsync(e => (long?)e.Sequence, cancellationToken).ConfigureAwait(false);
            if (oldest > after + 1)
            {
                throw new CursorExpiredException("Events after this cursor are no longer kept; reload the media list and continue from the newest cursor.");
            }
        }

        var page = await db.HoomiEvents.AsNoTracking()
            .Where(e => e.HoomiId == query.HoomiId && e.Sequence > after)
            .OrderBy(e => e.Sequence)
            .Take(limit + 1)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var items = page.Take(limit).ToList();
        var next = page.Count > limit ? HoomiEventJson.CursorOf(items[^1]) : null;
        return new PagedResult<JsonObject>([.. items.Select(HoomiEventJson.Item)], next);
    }
}
