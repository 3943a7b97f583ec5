using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Invitations.Commands;

/// <summary>The invitee accepts: they become a member (and from now on are wrapped for, see the hoomi and its events).</summary>
public sealed record AcceptInvitationCommand(Guid HoomiId) : ICommand;

/// <summary>The invitee declines: the invitation is gone, and the owner may invite again.</summary>
public sealed record DeclineInvitationCommand(Guid HoomiId) : ICommand;

public sealed class AcceptInvitationCommandHandler(IHoomiDbContext db, ICurrentUser user, TimeProvider clock, HoomiEventOutbox events)
    : ICommandHandler<AcceptInvitationCommand>
{
    public async ValueTask<Unit> Handle(AcceptInvitationCommand command, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var invitation = await db.Invitations
            .FirstOrDefaultAsync(i => i.HoomiId == command.HoomiId && i.UserId == userId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Invitation");
        var hoomi = await db.Hoomis.Include(h => h.Members)
            .FirstOrDefaultAsync(h => h.Id == command.HoomiId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Invitation");

        db.Invitations.Remove(invitation);
        if (!hoomi.IsMember(userId))
        {
            hoomi.Join(invitation, clock.GetUtcNow());
            events.Add(hoomi.Id, HoomiEventTypes.MemberAdded, new MemberAddedEvent(hoomi.Id, userId));
        }

        // The membership, the invitation's removal and the event's journal row commit together.
        await events.SaveAndPublishAsync(cancellationToken).ConfigureAwait(false);
        return Unit.Value;
    }
}

public sealed class DeclineInvitationCommandHandler(IHoomiDbContext db, ICurrentUser user) : ICommandHandler<DeclineInvitationCommand>
{
    public async ValueTask<Unit> Handle(DeclineInvitationCommand command, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var invitation = await db.Invitations
            .FirstOrDefaultAsync(i => i.HoomiId == command.HoomiId && i.UserId == userId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Invitation");
        db.Invitations.Remove(invitation);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return Unit.Value;
    }
}
