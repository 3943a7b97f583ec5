using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events;
using Hoomi.Application.Media.WrappedKeys;
using Mediator;

namespace Hoomi.Application.Media.Commands.ShareKeys;

/// <summary>
/// A member adds the file key wrapped for member device keys that lack one (members who joined, or
/// devices registered, after the upload). Each key must be an active key of a current member without one yet
/// (the first writer wins), and each wrap is signed by one of the caller's active, certified device keys.
/// </summary>
public sealed record ShareKeysCommand(Guid MediaId, IReadOnlyList<SharedWrappedKey?>? WrappedKeys) : ICommand<ShareKeysResult>;

public sealed record ShareKeysResult(IReadOnlyList<string> AddedKeyIds);

public sealed class ShareKeysCommandHandler(IHoomiDbContext db, ICurrentUser user, HoomiEventOutbox events, TimeProvider clock)
    : ICommandHandler<ShareKeysCommand, ShareKeysResult>
{
    public async ValueTask<ShareKeysResult> Handle(ShareKeysCommand command, CancellationToken cancellationToken)
    {
        var media = await db.LoadVisibleMediaAsync(command.MediaId, user.Id, track: true, cancellationToken, withWrappedKeys: true).ConfigureAwait(false);
        var current = await RecipientKeys.CurrentAsync(db, media.HoomiId, cancellationToken).ConfigureAwait(false);
        var requested = command.WrappedKeys!.Select(k => k!).ToList();
        RecipientKeys.RequireKnown(current, requested.Select(k => k.RecipientKeyId!));
        await SignerKeys.RequireCertifiedAsync(db, user.Id, requested.Select(k => k.SignerKeyId!), "signerKeyId", cancellationToken).ConfigureAwait(false);
        var added = WrappedKeyAttach.AttachTo(media, requested, current, clock.GetUtcNow());
        events.Add(media.HoomiId, HoomiEventTypes.KeysShared, new KeysSharedEvent(media.HoomiId, media.Id, added));
        await events.SaveAndPublishAsync(cancellationToken).ConfigureAwait(false);
        return new ShareKeysResult(added);
    }
}
