using Hoomi.Application.Common.Interfaces;
using Mediator;

namespace Hoomi.Application.Users.Queries.GetMe;

public sealed record MeDto(Guid UserId, string UserName);

public sealed record GetMeQuery : IQuery<MeDto>;

public sealed class GetMeQueryHandler(ICurrentUser user) : IQueryHandler<GetMeQuery, MeDto>
{
    public ValueTask<MeDto> Handle(GetMeQuery query, CancellationToken cancellationToken) => ValueTask.FromResult(new MeDto(user.Id, user.UserName));
}
