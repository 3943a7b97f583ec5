using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Mediator;

namespace Hoomi.Application.Media.Queries.OpenMediaContent;

public enum MediaPart
{
    Content,
    Thumbnail,
}

/// <summary>
/// Access to a media item's ciphertext (or encrypted thumbnail) for a member. The result opens the bytes
/// lazily, so that the caller can answer conditional requests and resolve ranges against the size first.
/// </summary>
public sealed record OpenMediaContentQuery(Guid MediaId, MediaPart Part) : IQuery<MediaContent>;

/// <param name="Size">Total length in bytes.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the whole object (the entity tag).</param>
/// <param name="Open">Opens the whole object (null range) or an inclusive byte range of it.</param>
public sealed record MediaContent(long Size, string Sha256, DateTimeOffset CreatedAt, Func<ByteRange?, CancellationToken, Task<Stream>> Open);

public sealed class OpenMediaContentQueryHandler(IHoomiDbContext db, ICurrentUser user, IBlobStore blobs, ThumbnailCache thumbnails)
    : IQueryHandler<OpenMediaContentQuery, MediaContent>
{
    public async ValueTask<MediaContent> Handle(OpenMediaContentQuery query, CancellationToken cancellationToken)
    {
        var media = await db.LoadVisibleMediaAsync(query.MediaId, user.Id, track: false, cancellationToken).ConfigureAwait(false);
        if (query.Part == MediaPart.Thumbnail)
        {
            if (!media.HasThumbnail)
            {
                throw new NotFoundException("Thumbnail");
            }

            var key = media.ThumbnailStorageKey!;
            return new MediaContent(media.ThumbnailSize!.Value, media.ThumbnailSha256!, media.CreatedAt, async (r, ct) =>
            {
                var bytes = await thumbnails.GetAsync(key, ct).ConfigureAwait(false);
                return r is null ? new MemoryStream(bytes, writable: false) : new MemoryStream(bytes, (int)r.From, (int)r.Length, writable: false);
            });
        }

        var storageKey = media.StorageKey;
        return new MediaContent(media.Size, media.Sha256, media.CreatedAt, (r, ct) => blobs.OpenReadAsync(storageKey, r, ct));
    }
}
