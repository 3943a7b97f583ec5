using Hoomi.Application.Common.Authorization;
using Hoomi.Application.Common;
using Hoomi.Application.Common.Interfaces;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Events.Queries.GetLatestEventCursor;

/// <summary>
/// The cursor of a hoomi's newest event ("0" while its journal is empty): where a client that wants only what
/// happens from now on starts, without paging through the journal to find its end.
/// </summary>
public sealed record GetLatestEventCursorQuery(Guid HoomiId) : IQuery<LatestEventCursorDto>, IHoomiRequest;

public sealed record LatestEventCursorDto(string Cursor);

public sealed class GetLatestEventCursorQueryHandler(IHoomiDbContext db)
    : IQueryHandler<GetLatestEventCursorQuery, LatestEventCursorDto>
{
    public async ValueTask<LatestEventCursorDto> Handle(GetLatestEventCursorQuery query, CancellationToken cancellationToken)
    {
        var latest = await db.HoomiEvents.AsNoTracking().Where(e => e.HoomiId == query.HoomiId)
            .MaxAsync(e => (long?)e.Sequence, cancellationToken).ConfigureAwait(false) ?? 0;
        return new LatestEventCursorDto(HoomiEventJson.CursorOf(latest));
    }
}
