using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Common.Models;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Invitations.Queries;

/// <summary>The caller's pending invitations, oldest first.</summary>
public sealed record ListMyInvitationsQuery : IQuery<ListResult<InvitationDto>>;

public sealed class ListMyInvitationsQueryHandler(IHoomiDbContext db, ICurrentUser user) : IQueryHandler<ListMyInvitationsQuery, ListResult<InvitationDto>>
{
    public async ValueTask<ListResult<InvitationDto>> Handle(ListMyInvitationsQuery query, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var rows = await db.Invitations.AsNoTracking()
            .Where(i => i.UserId == userId)
            .Join(db.Hoomis, i => i.HoomiId, h => h.Id, (i, h) => new { i.HoomiId, h.Name, i.InvitedBy, i.InvitedAt })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var inviterIds = rows.Select(r => r.InvitedBy).Distinct().ToList();
        var names = await db.Users.Where(u => inviterIds.Contains(u.Id)).Select(u => new { u.Id, u.UserName })
            .ToDictionaryAsync(u => u.Id, u => u.UserName, cancellationToken).ConfigureAwait(false);
        return new ListResult<InvitationDto>([.. rows
            .OrderBy(r => r.InvitedAt).ThenBy(r => r.HoomiId)
            .Select(r => new InvitationDto(r.HoomiId, r.Name, r.InvitedBy, names.GetValueOrDefault(r.InvitedBy, ""), r.InvitedAt))]);
    }
}
