using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Hoomis.Queries.GetHoomi;

public sealed record GetHoomiQuery(Guid HoomiId) : IQuery<HoomiDto>;

public sealed class GetHoomiQueryHandler(IHoomiDbContext db, ICurrentUser user) : IQueryHandler<GetHoomiQuery, HoomiDto>
{
    public async ValueTask<HoomiDto> Handle(GetHoomiQuery query, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        return await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId && m.HoomiId == query.HoomiId)
            .Join(db.Hoomis, m => m.HoomiId, h => h.Id, (m, h) => new HoomiDto(
                h.Id, h.Name, h.CreatedAt, m.Role, db.Memberships.Count(x => x.HoomiId == h.Id)))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Hoomi");
    }
}
