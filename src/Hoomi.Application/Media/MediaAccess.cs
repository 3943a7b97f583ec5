using Hoomi.Application.Common;
using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Media;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Media;

public static class MediaAccess
{
    /// <summary>
    /// A media item the caller may see: not deleted, in a hoomi the caller belongs to. Anything else is
    /// "not found", so that ids do not leak to non-members.
    /// </summary>
    public static async Task<MediaItem> LoadVisibleMediaAsync(this IHoomiDbContext db, Guid mediaId, Guid userId, bool track, CancellationToken cancellationToken, bool withWrappedKeys = false)
    {
        if (!track && !withWrappedKeys && db is DbContext context)
        {
            return await CompiledQueries.For(context).VisibleMedia(context, mediaId, userId, cancellationToken).ConfigureAwait(false)
                ?? throw new NotFoundException("Media");
        }

        var query = track ? db.Media : db.Media.AsNoTracking();
        if (withWrappedKeys)
        {
            query = query.Include(m => m.WrappedKeys);
        }

        return await query
            .Where(m => m.Id == mediaId && m.DeletedAt == null && db.Memberships.Any(x => x.HoomiId == m.HoomiId && x.UserId == userId))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Media");
    }
}
