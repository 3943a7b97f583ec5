using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Common.Models;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Keys.Queries.ListMyKeys;

/// <summary>The caller's device keys, revoked ones included (with their revocation time), oldest first.</summary>
public sealed record ListMyKeysQuery : IQuery<ListResult<DeviceKeyDto>>;

public sealed class ListMyKeysQueryHandler(IHoomiDbContext db, ICurrentUser user) : IQueryHandler<ListMyKeysQuery, ListResult<DeviceKeyDto>>
{
    public async ValueTask<ListResult<DeviceKeyDto>> Handle(ListMyKeysQuery query, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var keys = await db.DeviceKeys.AsNoTracking().Where(k => k.UserId == userId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new ListResult<DeviceKeyDto>([.. keys.OrderBy(k => k.CreatedAt).Select(k => k.ToDto())]);
    }
}
