using Hoomi.Application.Common.Authorization;
using Hoomi.Application.Common;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Common.Models;
using Hoomi.Application.Keys;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Members.Queries.ListMembers;

/// <summary>The members of a hoomi with their active device keys; what a client wraps file keys for.</summary>
public sealed record ListMembersQuery(Guid HoomiId) : IQuery<ListResult<MemberDto>>, IHoomiRequest;

public sealed class ListMembersQueryHandler(IHoomiDbContext db) : IQueryHandler<ListMembersQuery, ListResult<MemberDto>>
{
    public async ValueTask<ListResult<MemberDto>> Handle(ListMembersQuery query, CancellationToken cancellationToken)
    {
        var members = await db.Memberships.AsNoTracking()
            .Where(m => m.HoomiId == query.HoomiId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.UserId, u.UserName, m.Role, m.JoinedAt })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var userIds = members.Select(m => m.UserId).ToList();
        var keys = await db.DeviceKeys.AsNoTracking()
            .Where(k => userIds.Contains(k.UserId) && k.RevokedAt == null)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var keysByUser = keys.ToLookup(k => k.UserId);
        var items = members
            .OrderBy(m => m.JoinedAt).ThenBy(m => m.UserName, StringComparer.Ordinal)
            .Select(m => new MemberDto(m.UserId, m.UserName, m.Role, m.JoinedAt,
                [.. keysByUser[m.UserId].OrderBy(k => k.CreatedAt).Select(k => k.ToMemberKeyDto())]))
            .ToList();
        return new ListResult<MemberDto>(items);
    }
}
