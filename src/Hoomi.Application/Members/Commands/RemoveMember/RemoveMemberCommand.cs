using Hoomi.Application.Common;
using Hoomi.Application.Common.Authorization;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events;
using Mediator;

namespace Hoomi.Application.Members.Commands.RemoveMember;

/// <summary>An owner removes a member, or a member leaves (their own user id). The last owner cannot leave.</summary>
public sealed record RemoveMemberCommand(Guid HoomiId, Guid UserId) : ICommand<Unit>, IHoomiRequest;

public sealed class RemoveMemberCommandHandler(IHoomiDbContext db, ICurrentUser user, HoomiEventOutbox events)
    : ICommandHandler<RemoveMemberCommand, Unit>
{
    public async ValueTask<Unit> Handle(RemoveMemberCommand command, CancellationToken cancellationToken)
    {
        var hoomi = await db.LoadHoomiAsync(command.HoomiId, cancellationToken).ConfigureAwait(false);
        var removed = hoomi.RemoveMember(command.UserId, user.Id);
        db.Memberships.Remove(removed);
        events.Add(hoomi.Id, HoomiEventTypes.MemberRemoved, new MemberRemovedEvent(hoomi.Id, command.UserId));
        await events.SaveAndPublishAsync(cancellationToken).ConfigureAwait(false);
        return Unit.Value;
    }
}
