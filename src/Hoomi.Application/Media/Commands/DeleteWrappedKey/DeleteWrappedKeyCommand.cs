using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Media.Commands.DeleteWrappedKey;

/// <summary>
/// The owner of a device key removes the wrap made for it on a media item (say one it cannot open, planted
/// by another member); any member's share may then fill it again. Someone else's key, or no such wrap, is
/// "not found", as is a media item the caller cannot see.
/// </summary>
public sealed record DeleteWrappedKeyCommand(Guid MediaId, string KeyId) : ICommand<Unit>;

public sealed class DeleteWrappedKeyCommandHandler(IHoomiDbContext db, ICurrentUser user) : ICommandHandler<DeleteWrappedKeyCommand, Unit>
{
    public async ValueTask<Unit> Handle(DeleteWrappedKeyCommand command, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var media = await db.LoadVisibleMediaAsync(command.MediaId, userId, track: false, cancellationToken).ConfigureAwait(false);
        var ownKey = await db.DeviceKeys.AnyAsync(k => k.KeyId == command.KeyId && k.UserId == userId, cancellationToken).ConfigureAwait(false);
        var wrap = ownKey
            ? await db.WrappedKeys.FirstOrDefaultAsync(k => k.MediaId == media.Id && k.RecipientKeyId == command.KeyId, cancellationToken).ConfigureAwait(false)
            : null;
        if (wrap is null)
        {
            throw new NotFoundException("Wrapped key");
        }

        db.WrappedKeys.Remove(wrap);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return Unit.Value;
    }
}
