using Hoomi.Application.Common.Authorization;
using Mediator;

namespace Hoomi.Application.Hoomis.Queries.RequireMembership;

/// <summary>
/// 404 unless the caller is a member of the hoomi. Endpoints that take a large body send this before they raise the
/// body limit or read a byte of it, so that an outsider cannot make the server read (or wait for) an upload. The check
/// is the pipeline's (<see cref="HoomiAuthorizationBehaviour{TMessage,TResponse}"/>); it is remembered for the request,
/// so the use case sent next for the same hoomi does not query again.
/// </summary>
public sealed record RequireMembershipQuery(Guid HoomiId) : IQuery<Unit>, IHoomiRequest;

public sealed class RequireMembershipQueryHandler : IQueryHandler<RequireMembershipQuery, Unit>
{
    public ValueTask<Unit> Handle(RequireMembershipQuery query, CancellationToken cancellationToken) => ValueTask.FromResult(Unit.Value);
}
