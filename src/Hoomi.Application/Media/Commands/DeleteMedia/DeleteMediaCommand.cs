using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Media.Commands.DeleteMedia;

/// <summary>The uploader or an owner deletes a media item: gone from every read at once, purged after the retention period.</summary>
public sealed record DeleteMediaCommand(Guid MediaId) : ICommand<Unit>;

public sealed class DeleteMediaCommandHandler(IHoomiDbContext db, ICurrentUser user, HoomiEventOutbox events, TimeProvider clock, ThumbnailCache thumbnails)
    : ICommandHandler<DeleteMediaCommand, Unit>
{
    public async ValueTask<Unit> Handle(DeleteMediaCommand command, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var media = await db.LoadVisibleMediaAsync(command.MediaId, userId, track: true, cancellationToken).ConfigureAwait(false);
        var isOwner = await db.Memberships.AnyAsync(
            m => m.HoomiId == media.HoomiId && m.UserId == userId && m.Role == Domain.Hoomis.MemberRole.Owner, cancellationToken).ConfigureAwait(false);
        media.Delete(userId, isOwner, clock.GetUtcNow());
        events.Add(media.HoomiId, HoomiEventTypes.MediaDeleted, new MediaDeletedEvent(media.HoomiId, media.Id));
        await events.SaveAsync(cancellationToken).ConfigureAwait(false);
        if (media.ThumbnailStorageKey is not null)
        {
            await thumbnails.RemoveAsync(media.ThumbnailStorageKey, cancellationToken).ConfigureAwait(false);
        }

        await events.DispatchAsync().ConfigureAwait(false);
        return Unit.Value;
    }
}
