using Hoomi.Application.Common.Authorization;
using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Quotas;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hoomi.Application.Hoomis.Queries.GetHoomi;

public sealed record GetHoomiQuery(Guid HoomiId) : IQuery<HoomiDto>, IHoomiRequest;

public sealed class GetHoomiQueryHandler(IHoomiDbContext db, HoomiAccessContext access, IOptions<QuotaOptions> quotas) : IQueryHandler<GetHoomiQuery, HoomiDto>
{
    public async ValueTask<HoomiDto> Handle(GetHoomiQuery query, CancellationToken cancellationToken)
    {
        var role = access.Of(query.HoomiId).Role;
        var defaultQuota = quotas.Value.DefaultHoomiBytes;
        return await db.Hoomis.AsNoTracking()
            .Where(h => h.Id == query.HoomiId)
            .Select(h => new HoomiDto(
                h.Id, h.Name, h.CreatedAt, role, db.Memberships.Count(x => x.HoomiId == h.Id), h.UsedBytes, h.StorageQuotaBytes ?? defaultQuota))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Hoomi");
    }
}
