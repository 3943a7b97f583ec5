using Hoomi.Application.Media.WrappedKeys;
using Hoomi.Application.Common.Interfaces;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Media.Queries.GetMediaKeys;

/// <summary>
/// The caller's wrapped keys for a media item, and which current member device keys still lack one
/// (what a client shares keys for, with <c>POST /media/{id}/keys</c>).
/// </summary>
public sealed record GetMediaKeysQuery(Guid MediaId) : IQuery<MediaKeysDto>;

public sealed record MediaKeysDto(IReadOnlyList<WrappedKeyDto> WrappedKeys, IReadOnlyList<string> MissingRecipientKeyIds);

public sealed class GetMediaKeysQueryHandler(IHoomiDbContext db, ICurrentUser user) : IQueryHandler<GetMediaKeysQuery, MediaKeysDto>
{
    public async ValueTask<MediaKeysDto> Handle(GetMediaKeysQuery query, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var media = await db.LoadVisibleMediaAsync(query.MediaId, userId, track: false, cancellationToken).ConfigureAwait(false);
        var wrapped = await db.WrappedKeys.AsNoTracking().Where(k => k.MediaId == media.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var current = await RecipientKeys.CurrentAsync(db, media.HoomiId, cancellationToken).ConfigureAwait(false);
        var have = wrapped.Select(k => k.RecipientKeyId).ToHashSet(StringComparer.Ordinal);
        var own = wrapped.Where(k => k.RecipientUserId == userId).OrderBy(k => k.RecipientKeyId, StringComparer.Ordinal).ToList();
        var devices = await db.DevicesAsync(own.Select(k => k.SignerKeyId), cancellationToken).ConfigureAwait(false);
        return new MediaKeysDto(
            [.. own.Select(k => k.ToDto(devices))],
            [.. current.Keys.Where(k => !have.Contains(k)).Order(StringComparer.Ordinal)]);
    }
}
