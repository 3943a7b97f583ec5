using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events;
using Hoomi.Domain.Hoomis;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hoomi.Application.Media.Commands.RestoreMedia;

/// <summary>The uploader or an owner restores a deleted media item within the retention window.</summary>
public sealed record RestoreMediaCommand(Guid MediaId) : ICommand<MediaDto>;

public sealed class RestoreMediaCommandHandler(
    IHoomiDbContext db, ICurrentUser user, HoomiEventOutbox events, TimeProvider clock, IOptions<RetentionOptions> retention)
    : ICommandHandler<RestoreMediaCommand, MediaDto>
{
    public async ValueTask<MediaDto> Handle(RestoreMediaCommand command, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var media = await db.Media
            .Where(m => m.Id == command.MediaId && db.Memberships.Any(x => x.HoomiId == m.HoomiId && x.UserId == userId))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Media");
        var isOwner = await db.Memberships.AnyAsync(
            m => m.HoomiId == media.HoomiId && m.UserId == userId && m.Role == MemberRole.Owner, cancellationToken).ConfigureAwait(false);
        media.Restore(userId, isOwner, clock.GetUtcNow(), retention.Value.RestoreWindow);
        events.Add(media.HoomiId, HoomiEventTypes.MediaUploaded,
            new MediaUploadedEvent(media.HoomiId, media.Id, media.UploaderId, media.MimeType, media.Size, media.CreatedAt));
        await events.SaveAndPublishAsync(cancellationToken).ConfigureAwait(false);
        return await db.ToDtoAsync(media, userId, cancellationToken).ConfigureAwait(false);
    }
}
