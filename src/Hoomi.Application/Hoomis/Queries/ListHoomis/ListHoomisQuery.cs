using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Common.Models;
using Hoomi.Application.Quotas;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hoomi.Application.Hoomis.Queries.ListHoomis;

/// <summary>The hoomis the caller belongs to, newest first.</summary>
public sealed record ListHoomisQuery : IQuery<ListResult<HoomiDto>>;

public sealed class ListHoomisQueryHandler(IHoomiDbContext db, ICurrentUser user, IOptions<QuotaOptions> quotas) : IQueryHandler<ListHoomisQuery, ListResult<HoomiDto>>
{
    public async ValueTask<ListResult<HoomiDto>> Handle(ListHoomisQuery query, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var defaultQuota = quotas.Value.DefaultHoomiBytes;
        var items = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId)
            .Join(db.Hoomis, m => m.HoomiId, h => h.Id, (m, h) => new HoomiDto(
                h.Id, h.Name, h.CreatedAt, m.Role, db.Memberships.Count(x => x.HoomiId == h.Id), h.UsedBytes, h.StorageQuotaBytes ?? defaultQuota))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new ListResult<HoomiDto>([.. items.OrderByDescending(h => h.CreatedAt)]);
    }
}
