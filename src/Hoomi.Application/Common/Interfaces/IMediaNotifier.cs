namespace Hoomi.Application.Common.Interfaces;

/// <summary>
/// Tells members what happened in their hoomis (the realtime hub implements it). Handlers call it after
/// the database commit, never before. Events carry ids and public metadata only: no keys, no names, no tokens.
/// </summary>
public interface IMediaNotifier
{
    Task MediaUploadedAsync(MediaUploadedEvent e, CancellationToken cancellationToken);

    Task MediaDeletedAsync(MediaDeletedEvent e, CancellationToken cancellationToken);

    Task MemberAddedAsync(MemberAddedEvent e, CancellationToken cancellationToken);

    Task MemberRemovedAsync(MemberRemovedEvent e, CancellationToken cancellationToken);

    Task KeysSharedAsync(KeysSharedEvent e, CancellationToken cancellationToken);
}

public sealed record MediaUploadedEvent(Guid HoomiId, Guid MediaId, Guid UploaderId, string MimeType, long Size, DateTimeOffset CreatedAt);

public sealed record MediaDeletedEvent(Guid HoomiId, Guid MediaId);

public sealed record MemberAddedEvent(Guid HoomiId, Guid UserId);

public sealed record MemberRemovedEvent(Guid HoomiId, Guid UserId);

public sealed record KeysSharedEvent(Guid HoomiId, Guid MediaId, IReadOnlyList<string> RecipientKeyIds);
