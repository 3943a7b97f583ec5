using Hoomi.Application.Common;
using Hoomi.Application.Common.Interfaces;
using Mediator;

namespace Hoomi.Application.Hoomis.Queries.RequireMembership;

/// <summary>
/// 404 unless the caller is a member of the hoomi. Endpoints that take a large body ask this before they raise the
/// body limit or read a byte of it, so that an outsider cannot make the server read (or wait for) an upload.
/// </summary>
public sealed record RequireMembershipQuery(Guid HoomiId) : IQuery<Unit>;

public sealed class RequireMembershipQueryHandler(IHoomiDbContext db, ICurrentUser user) : IQueryHandler<RequireMembershipQuery, Unit>
{
    public async ValueTask<Unit> Handle(RequireMembershipQuery query, CancellationToken cancellationToken)
    {
        await db.RequireMembershipAsync(query.HoomiId, user.Id, cancellationToken).ConfigureAwait(false);
        return Unit.Value;
    }
}
