using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Keys.Commands.RevokeDeviceKey;

/// <summary>Revokes one of the caller's device keys: new uploads no longer wrap for it. Revoking twice is harmless.</summary>
public sealed record RevokeDeviceKeyCommand(string KeyId) : ICommand<Unit>;

public sealed class RevokeDeviceKeyCommandHandler(IHoomiDbContext db, ICurrentUser user, TimeProvider clock)
    : ICommandHandler<RevokeDeviceKeyCommand, Unit>
{
    public async ValueTask<Unit> Handle(RevokeDeviceKeyCommand command, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var key = await db.DeviceKeys.FirstOrDefaultAsync(k => k.KeyId == command.KeyId && k.UserId == userId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Device key");
        key.Revoke(clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return Unit.Value;
    }
}
