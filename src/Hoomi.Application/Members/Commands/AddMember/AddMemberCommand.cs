using Hoomi.Application.Common;
using Hoomi.Application.Common.Authorization;
using Hoomi.Application.Common.Interfaces;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Members.Commands.AddMember;

/// <summary>
/// An owner adds a member by user name (case-insensitively): the account is invited and becomes a member when it
/// accepts. The answer is the same whether or not an account of that name exists (an unknown name invites nobody),
/// so adding a member does not tell which accounts exist; inviting an invitee again changes nothing.
/// </summary>
public sealed record AddMemberCommand(Guid HoomiId, string UserName) : ICommand, IHoomiRequest;

public sealed class AddMemberCommandHandler(IHoomiDbContext db, ICurrentUser user, TimeProvider clock) : ICommandHandler<AddMemberCommand>
{
    public async ValueTask<Unit> Handle(AddMemberCommand command, CancellationToken cancellationToken)
    {
        var hoomi = await db.LoadHoomiAsync(command.HoomiId, cancellationToken).ConfigureAwait(false);
        // Owners only, checked before the name is looked up, so that a plain member learns nothing either.
        hoomi.EnsureCanInvite(user.Id);
        var normalized = UserInfo.NormalizeUserName(command.UserName);
        var target = await db.Users.FirstOrDefaultAsync(u => u.NormalizedUserName == normalized, cancellationToken).ConfigureAwait(false);
        if (target is null)
        {
            return Unit.Value;
        }

        // A member is on the member list already: saying so tells the owner nothing new.
        var invitation = hoomi.Invite(target.Id, user.Id, clock.GetUtcNow());
        var pending = await db.Invitations.AnyAsync(i => i.HoomiId == hoomi.Id && i.UserId == target.Id, cancellationToken).ConfigureAwait(false);
        if (!pending)
        {
            db.Invitations.Add(invitation);
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Common.Exceptions.ConflictException)
            {
                // A concurrent request invited the same account: the invitation exists, which is what was asked.
            }
        }

        return Unit.Value;
    }
}
