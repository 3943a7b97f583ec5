using Hoomi.Application.Common.Interfaces;
using Mediator;

namespace Hoomi.Application.Media.Queries.GetMediaInfo;

/// <summary>One media item's public metadata, sender signature and upload wraps, with the file key wrapped for the caller's devices.</summary>
public sealed record GetMediaInfoQuery(Guid MediaId) : IQuery<MediaDto>;

public sealed class GetMediaInfoQueryHandler(IHoomiDbContext db, ICurrentUser user) : IQueryHandler<GetMediaInfoQuery, MediaDto>
{
    public async ValueTask<MediaDto> Handle(GetMediaInfoQuery query, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var media = await db.LoadVisibleMediaAsync(query.MediaId, userId, track: false, cancellationToken).ConfigureAwait(false);
        return await db.ToDtoAsync(media, userId, cancellationToken).ConfigureAwait(false);
    }
}
