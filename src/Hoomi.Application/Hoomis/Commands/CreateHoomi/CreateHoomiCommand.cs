using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events;
using Hoomi.Domain.Hoomis;
using Hoomi.Application.Quotas;
using Hoomi.Application.Common.Exceptions;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hoomi.Application.Hoomis.Commands.CreateHoomi;

/// <summary>Creates a hoomi; the caller becomes its owner.</summary>
public sealed record CreateHoomiCommand(string Name) : ICommand<HoomiDto>;

public sealed class CreateHoomiCommandHandler(IHoomiDbContext db, ICurrentUser user, TimeProvider clock, IOptions<QuotaOptions> quotas, HoomiEventOutbox events)
    : ICommandHandler<CreateHoomiCommand, HoomiDto>
{
    public async ValueTask<HoomiDto> Handle(CreateHoomiCommand command, CancellationToken cancellationToken)
    {
        var limit = quotas.Value.MaxHoomisPerUser;
        var userId = user.Id;
        var owned = await db.Memberships.CountAsync(m => m.UserId == userId && m.Role == MemberRole.Owner, cancellationToken).ConfigureAwait(false);
        if (owned >= limit)
        {
            throw new ConflictException("hoomi-limit-reached", $"You own {owned} hoomis, the most one account may own ({limit}).",
                new Dictionary<string, object?> { ["limit"] = limit });
        }

        var hoomi = HoomiGroup.Create(Guid.CreateVersion7(), command.Name, user.Id, clock.GetUtcNow());
        db.Hoomis.Add(hoomi);

        // The creator is the first member: their devices already connected to the hub join the new hoomi's
        // group this way, and the journal starts with it.
        events.Add(hoomi.Id, HoomiEventTypes.MemberAdded, new MemberAddedEvent(hoomi.Id, user.Id));
        await events.SaveAndPublishAsync(cancellationToken).ConfigureAwait(false);
        return new HoomiDto(hoomi.Id, hoomi.Name, hoomi.CreatedAt, MemberRole.Owner, 1, 0, quotas.Value.DefaultHoomiBytes);
    }
}
