using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Quotas;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hoomi.Application.Hoomis.Queries.GetHoomi;

public sealed record GetHoomiQuery(Guid HoomiId) : IQuery<HoomiDto>;

public sealed class GetHoomiQueryHandler(IHoomiDbContext db, ICurrentUser user, IOptions<QuotaOptions> quotas) : IQueryHandler<GetHoomiQuery, HoomiDto>
{
    public async ValueTask<HoomiDto> Handle(GetHoomiQuery query, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var defaultQuota = quotas.Value.DefaultHoomiBytes;
        return await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId && m.HoomiId == query.HoomiId)
            .Join(db.Hoomis, m => m.HoomiId, h => h.Id, (m, h) => new HoomiDto(
                h.Id, h.Name, h.CreatedAt, m.Role, db.Memberships.Count(x => x.HoomiId == h.Id), h.UsedBytes, h.StorageQuotaBytes ?? defaultQuota))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Hoomi");
    }
}
