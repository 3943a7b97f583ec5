using Hoomi.Application.Common;
using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Members.Commands.AddMember;

/// <summary>An owner adds an existing account, found by user name (case-insensitively), as a member.</summary>
public sealed record AddMemberCommand(Guid HoomiId, string UserName) : ICommand<MemberDto>;

public sealed class AddMemberCommandHandler(IHoomiDbContext db, ICurrentUser user, TimeProvider clock, HoomiEventOutbox events)
    : ICommandHandler<AddMemberCommand, MemberDto>
{
    public async ValueTask<MemberDto> Handle(AddMemberCommand command, CancellationToken cancellationToken)
    {
        var hoomi = await db.LoadHoomiForMemberAsync(command.HoomiId, user.Id, cancellationToken).ConfigureAwait(false);
        var normalized = UserInfo.NormalizeUserName(command.UserName);
        var target = await db.Users.FirstOrDefaultAsync(u => u.NormalizedUserName == normalized, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("User");

        var membership = hoomi.AddMember(target.Id, user.Id, clock.GetUtcNow());
        events.Add(hoomi.Id, HoomiEventTypes.MemberAdded, new MemberAddedEvent(hoomi.Id, target.Id));
        await events.SaveAndPublishAsync(cancellationToken).ConfigureAwait(false);

        var keys = await db.DeviceKeys.AsNoTracking()
            .Where(k => k.UserId == target.Id && k.RevokedAt == null)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new MemberDto(target.Id, target.UserName, membership.Role, membership.JoinedAt,
            [.. keys.OrderBy(k => k.CreatedAt).Select(Keys.DeviceKeyMapper.ToMemberKeyDto)]);
    }
}
