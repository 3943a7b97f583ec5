using Hoomi.Application.Common.Authorization;
using Hoomi.Application.Common;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Common.Models;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Media.Queries.ListMedia;

/// <summary>A hoomi's media, newest first, by keyset pagination (<see cref="MediaCursor"/>).</summary>
public sealed record ListMediaQuery(Guid HoomiId, string? Cursor, int Limit = ListMediaQuery.DefaultLimit) : IQuery<PagedResult<MediaDto>>, IHoomiRequest
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;
}

public sealed class ListMediaQueryHandler(IHoomiDbContext db, ICurrentUser user) : IQueryHandler<ListMediaQuery, PagedResult<MediaDto>>
{
    public async ValueTask<PagedResult<MediaDto>> Handle(ListMediaQuery query, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var items = db.Media.AsNoTracking().Where(m => m.HoomiId == query.HoomiId && m.DeletedAt == null);
        if (MediaCursor.TryParse(query.Cursor, out var after))
        {
            // "(created_at, id) before the cursor", written with a plain upper bound on created_at first: that bound is
            // what lets the index on (hoomi_id, created_at, id) start the scan at the cursor. The OR alone is only a
            // filter, and a page 90,000 items deep read (and dropped) 90,000 index entries first (bench/results/plans-*.txt).
            items = items.Where(m => m.CreatedAt <= after.CreatedAt
                && (m.CreatedAt < after.CreatedAt || m.Id.CompareTo(after.Id) < 0));
        }

        var page = await items.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Take(query.Limit + 1)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var more = page.Count > query.Limit;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        // Wraps and signer devices of the whole page in two queries, not per item.
        var dtos = await db.ToDtosAsync(page, userId, cancellationToken).ConfigureAwait(false);
        var next = more ? MediaCursor.Format(page[^1].CreatedAt, page[^1].Id) : null;
        return new PagedResult<MediaDto>(dtos, next);
    }
}
