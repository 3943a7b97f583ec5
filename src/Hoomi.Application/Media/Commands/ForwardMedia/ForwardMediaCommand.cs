using Hoomi.Application.Common.Authorization;
using Hoomi.Application.Quotas;
using Hoomi.Application.Common;
using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events;
using Hoomi.Application.Media.Commands.UploadMedia;
using Hoomi.Application.Media.WrappedKeys;
using Hoomi.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Media.Commands.ForwardMedia;

/// <summary>
/// A member of both hoomis forwards a media item: the client re-wraps the file key for the target's member
/// keys under a new media id; the new item points at the same blob (and keeps its content header), nothing
/// is uploaded again. A signed forward (hoomi-e2ee-2) names the forwarder's certified device key and its item signature.
/// </summary>
public sealed record ForwardMediaCommand(Guid SourceMediaId, Guid TargetHoomiId, string? MediaId, string? EncryptedMetadata,
    IReadOnlyList<UploadWrappedKey?>? WrappedKeys, string? SenderKeyId = null, string? Signature = null) : ICommand<MediaDto>, IHoomiRequest
{
    /// <summary>The forwarder must be a member of the target hoomi (checked by the pipeline); of the source, by seeing the item.</summary>
    Guid IHoomiRequest.HoomiId => TargetHoomiId;
}

public sealed class ForwardMediaCommandHandler(
    IHoomiDbContext db, ICurrentUser user, IStorageQuota quota, IReservationReleaseRetries releases, HoomiEventOutbox events, TimeProvider clock)
    : ICommandHandler<ForwardMediaCommand, MediaDto>
{
    public async ValueTask<MediaDto> Handle(ForwardMediaCommand command, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var source = await db.LoadVisibleMediaAsync(command.SourceMediaId, userId, track: false, cancellationToken).ConfigureAwait(false);
        var newId = Guid.Parse(command.MediaId!);
        if (await db.Media.AnyAsync(m => m.Id == newId, cancellationToken).ConfigureAwait(false))
        {
            throw UploadMediaCommandHandler.MediaIdTaken();
        }

        if (command.SenderKeyId is not null)
        {
            await SignerKeys.RequireCertifiedAsync(db, userId, [command.SenderKeyId], "senderKeyId", cancellationToken).ConfigureAwait(false);
        }

        var recipients = await RecipientKeys.RequireExactSetAsync(db, command.TargetHoomiId, command.WrappedKeys!, cancellationToken).ConfigureAwait(false);
        var metadata = command.EncryptedMetadata is null ? null : Base64Url.DecodeValidated(command.EncryptedMetadata);
        var item = source.ForwardTo(newId, command.TargetHoomiId, userId, metadata, clock.GetUtcNow());
        if (command.SenderKeyId is not null)
        {
            item.AttachSenderSignature(command.SenderKeyId, Base64Url.DecodeValidated(command.Signature));
        }

        WrappedKeyAttach.AttachTo(item, command.WrappedKeys!, recipients, item.CreatedAt);

        var reservation = await quota.ReserveAsync(command.TargetHoomiId, item.StoredBytes, cancellationToken).ConfigureAwait(false);
        try
        {
            db.Media.Add(item);
            events.Add(item.HoomiId, HoomiEventTypes.MediaUploaded,
                new MediaUploadedEvent(item.HoomiId, item.Id, userId, item.MimeType, item.Size, item.CreatedAt));
            try
            {
                await events.SaveAsync(cancellationToken, commit: reservation).ConfigureAwait(false);
            }
            catch (ConflictException e) when (e.Code == "already-exists")
            {
                throw UploadMediaCommandHandler.MediaIdTaken();
            }
        }
        catch
        {
            await quota.ReleaseOrQueueAsync(reservation, releases).ConfigureAwait(false);
            throw;
        }

        await events.DispatchAsync().ConfigureAwait(false);
        return (await db.ToDtosAsync([item], userId, item.WrappedKeys, cancellationToken).ConfigureAwait(false))[0];
    }
}
