using Hoomi.Domain.Events;

namespace Hoomi.Application.Common.Interfaces;

/// <summary>
/// Delivers committed journal rows live to the members of their hoomi (the realtime hub implements it). The
/// <see cref="Events.HoomiEventOutbox"/> calls it after the commit, never before, with rows that are already in the
/// journal: a failure here loses nothing for catch-up. Events carry ids and public metadata only: no keys, no names,
/// no tokens.
/// </summary>
public interface IMediaNotifier
{
    Task PublishAsync(HoomiEvent committed, CancellationToken cancellationToken);
}

public sealed record MediaUploadedEvent(Guid HoomiId, Guid MediaId, Guid UploaderId, string MimeType, long Size, DateTimeOffset CreatedAt);

public sealed record MediaDeletedEvent(Guid HoomiId, Guid MediaId);

public sealed record MemberAddedEvent(Guid HoomiId, Guid UserId);

public sealed record MemberRemovedEvent(Guid HoomiId, Guid UserId);

public sealed record KeysSharedEvent(Guid HoomiId, Guid MediaId, IReadOnlyList<string> RecipientKeyIds);
