using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Quotas.Commands.SetHoomiQuota;

/// <summary>An operator gives one hoomi its own storage quota (null: back to the default). Used by the admin command.</summary>
public sealed record SetHoomiQuotaCommand(Guid HoomiId, long? QuotaBytes) : ICommand<Unit>;

public sealed class SetHoomiQuotaCommandHandler(IHoomiDbContext db) : ICommandHandler<SetHoomiQuotaCommand, Unit>
{
    public async ValueTask<Unit> Handle(SetHoomiQuotaCommand command, CancellationToken cancellationToken)
    {
        var hoomi = await db.Hoomis.FirstOrDefaultAsync(h => h.Id == command.HoomiId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Hoomi");
        hoomi.SetStorageQuota(command.QuotaBytes);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return Unit.Value;
    }
}
