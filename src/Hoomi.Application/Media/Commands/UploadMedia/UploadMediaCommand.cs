using Hoomi.Application.Media.WrappedKeys;
using Hoomi.Application.Common;
using Hoomi.Application.Common.Authorization;
using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Events;
using Hoomi.Application.Quotas;
using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;
using Hoomi.Domain.Media;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Media.Commands.UploadMedia;

/// <summary>
/// Stores one encrypted file (membership is the pipeline's check, <see cref="HoomiAuthorizationBehaviour{TMessage,TResponse}"/>,
/// done before the endpoint reads the body): checks idempotency and the wrapped-key set before reading the
/// ciphertext, streams it to the blob store, verifies size and hash, then commits metadata and wrapped keys.
/// </summary>
public sealed record UploadMediaCommand(Guid HoomiId, UploadMetadata Metadata, IUploadParts Parts) : ICommand<UploadMediaResult>, IHoomiRequest;

public sealed record UploadMediaResult(MediaDto Media, bool Created);

public sealed class UploadMediaCommandHandler(
    IHoomiDbContext db, HoomiAccessContext access, IBlobStore blobs, IStorageQuota quota, IReservationReleaseRetries releases, HoomiEventOutbox events,
    TimeProvider clock)
    : ICommandHandler<UploadMediaCommand, UploadMediaResult>
{
    public async ValueTask<UploadMediaResult> Handle(UploadMediaCommand command, CancellationToken cancellationToken)
    {
        try
        {
            var result = await UploadAsync(command, cancellationToken).ConfigureAwait(false);
            MediaTelemetry.Uploads.Add(1, new KeyValuePair<string, object?>("outcome", result.Created ? "created" : "existing"));
            if (result.Created)
            {
                MediaTelemetry.UploadedBytes.Add(result.Media.Size);
            }

            return result;
        }
        catch (Exception ex)
        {
            MediaTelemetry.Uploads.Add(1, new KeyValuePair<string, object?>("outcome", MediaTelemetry.OutcomeOf(ex)));
            throw;
        }
    }

    private async Task<UploadMediaResult> UploadAsync(UploadMediaCommand command, CancellationToken cancellationToken)
    {
        var (m, userId, mediaId) = (command.Metadata, access.Of(command.HoomiId).UserId, Guid.Parse(command.Metadata.MediaId!));

        // One round trip for whether the id is taken (the common answer: no), the recipient set and the signer key: the
        // caller is a member, so the caller's active keys are among the members' active keys, and the signer check
        // (active, the caller's own, certified) reads the same rows.
        var (keys, taken) = await RecipientKeys.CurrentKeysAndIdTakenAsync(db, command.HoomiId, mediaId, cancellationToken).ConfigureAwait(false);
        if (taken)
        {
            // A trailing seal names the content only after it: such an attempt cannot be matched to the stored one.
            if (m.TrailingSeal == true)
            {
                throw MediaIdTaken();
            }

            var existing = await db.Media.AsNoTracking().FirstOrDefaultAsync(x => x.Id == mediaId, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                return await RetriedAsync(existing, command, userId, cancellationToken).ConfigureAwait(false);
            }
        }

        var devices = keys.ToDictionary(k => k.KeyId, StringComparer.Ordinal);
        if (m.SenderKeyId is not null)
        {
            SignerKeys.RequireCertified(keys, userId, [m.SenderKeyId], "senderKeyId");
        }

        var recipients = keys.ToDictionary(k => k.KeyId, k => k.UserId, StringComparer.Ordinal);
        RecipientKeys.RequireExactSet(recipients, m.WrappedKeys!);

        // No row has this id, so a blob under its usual keys is a leftover of an attempt that never committed (a crash
        // mid-upload, or a concurrent attempt still running). This attempt then writes under keys of its own: nothing
        // it does can collide with or overwrite that blob, and the row insert decides which attempt wins.
        var (contentKey, thumbnailKey) = (MediaItem.ContentKeyFor(command.HoomiId, mediaId), MediaItem.ThumbnailKeyFor(command.HoomiId, mediaId));
        var leftovers = new List<string>();
        string[] usual = m.Thumbnail is null ? [contentKey] : [contentKey, thumbnailKey];
        foreach (var key in usual)
        {
            if (await blobs.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
            {
                leftovers.Add(key);
            }
        }

        if (leftovers.Count > 0)
        {
            var attempt = Guid.NewGuid();
            (contentKey, thumbnailKey) = (MediaItem.ContentKeyFor(command.HoomiId, mediaId, attempt), MediaItem.ThumbnailKeyFor(command.HoomiId, mediaId, attempt));
        }

        // Reserved before the first byte of the file is read: concurrent uploads cannot together overrun the quota.
        var reservation = await quota.ReserveAsync(command.HoomiId, m.Size!.Value + (m.Thumbnail?.Size ?? 0), cancellationToken).ConfigureAwait(false);
        var stored = new List<string>();
        MediaItem? created = null;
        try
        {
            var trailing = m.TrailingSeal == true;
            var file = await command.Parts.OpenFileAsync(cancellationToken).ConfigureAwait(false);
            var (header, fileSha256) = await StoreAsync(contentKey, file, m.Size!.Value, m.Sha256, "file", stored, cancellationToken).ConfigureAwait(false);
            var thumbnail = await command.Parts.OpenThumbnailAsync(trailing, cancellationToken).ConfigureAwait(false);
            if ((thumbnail is null) != (m.Thumbnail is null))
            {
                throw ValidationException.For("thumbnail", "A thumbnail part must come exactly when metadata declares a thumbnail.");
            }

            if (thumbnail is not null)
            {
                _ = await StoreAsync(thumbnailKey, thumbnail, m.Thumbnail!.Size!.Value, m.Thumbnail.Sha256!, "thumbnail", stored, cancellationToken).ConfigureAwait(false);
            }

            var (sha256, signature) = (m.Sha256, m.Signature);
            if (trailing)
            {
                (sha256, signature) = await ReadSealAsync(command.Parts, m.SenderKeyId is not null, fileSha256, cancellationToken).ConfigureAwait(false);
            }

            var item = MediaItem.Create(
                new MediaContent(mediaId, command.HoomiId, contentKey, m.Size!.Value, sha256!,
                    m.MimeType!.Trim(), m.Width, m.Height, m.DurationMs, m.EncryptedMetadata is null ? null : Base64Url.DecodeValidated(m.EncryptedMetadata)),
                userId, clock.GetUtcNow());
            if (m.SenderKeyId is not null)
            {
                item.AttachSenderSignature(m.SenderKeyId, Base64Url.DecodeValidated(signature));
            }

            WrappedKeyAttach.AttachTo(item, m.WrappedKeys!, recipients, item.CreatedAt);

            item.RecordContentHeader(header);
            if (thumbnail is not null)
            {
                item.AttachThumbnail(thumbnailKey, m.Thumbnail!.Size!.Value, m.Thumbnail.Sha256!);
            }

            db.Media.Add(item);
            created = item;
            events.Add(item.HoomiId, HoomiEventTypes.MediaUploaded,
                new MediaUploadedEvent(item.HoomiId, item.Id, userId, item.MimeType, item.Size, item.CreatedAt));
            try
            {
                await events.SaveAsync(cancellationToken, commit: reservation).ConfigureAwait(false);
            }
            catch (ConflictException e) when (e.Code == "already-exists")
            {
                // A concurrent attempt at the same id committed first: the same answer as for any id already taken.
                throw MediaIdTaken();
            }
        }
        catch
        {
            // Nothing of a refused or failed upload stays behind; what a crash or an unreachable store leaves, the orphan
            // sweep finds, and a reservation the database could not release now is released once it answers again.
            foreach (var key in stored)
            {
                try
                {
                    await blobs.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Left to the orphan sweep; the upload's own error is what the client must see.
                }
            }

            await quota.ReleaseOrQueueAsync(reservation, releases).ConfigureAwait(false);
            throw;
        }

        await events.DispatchAsync().ConfigureAwait(false);
        await RemoveLeftoversAsync(leftovers).ConfigureAwait(false);
        // The answer from what is at hand: the new wraps, and the signer's device key read with the recipients.
        var dto = created!.ToDto(userId, created.WrappedKeys, devices);
        return new UploadMediaResult(dto, Created: true);
    }

    /// <summary>
    /// Streams one part to the blob store through the checks; returns the stream's HME1 header as read on the way and
    /// the SHA-256 of what was stored. A null <paramref name="sha256"/> (a trailing seal declares it) is checked later.
    /// </summary>
    private async Task<(byte[] Header, string Sha256)> StoreAsync(string key, Stream content, long size, string? sha256, string part, List<string> stored, CancellationToken ct)
    {
        BlobWriteResult result;
        var check = new CiphertextCheckStream(content, size, part);
        try
        {
            result = await blobs.PutAsync(key, check, ct).ConfigureAwait(false);
        }
        catch (BlobAlreadyExistsException)
        {
            throw new ConflictException("upload-in-progress", "Another upload of this media id is in progress; retry shortly.");
        }

        stored.Add(key);
        if (result.Size != size)
        {
            throw new UnprocessableContentException("size-mismatch", $"The {part} part has {result.Size} bytes, not the declared {size}.");
        }

        if (sha256 is not null && !string.Equals(result.Sha256, sha256, StringComparison.Ordinal))
        {
            throw HashMismatch(part);
        }

        // The declared size is at least a header and a tag and was read whole, so the header is complete.
        return (check.Header ?? throw ValidationException.For(part, $"The {part} part is shorter than its HME1 header."), result.Sha256);
    }

    private static UnprocessableContentException HashMismatch(string part) =>
        new("hash-mismatch", $"The SHA-256 of the {part} part is not the declared one.");

    /// <summary>The trailing seal: its hash must be the stored file's, its signature there exactly when a sender key is named.</summary>
    private static async Task<(string Sha256, string? Signature)> ReadSealAsync(IUploadParts parts, bool signed, string storedSha256, CancellationToken ct)
    {
        var seal = await parts.ReadSealAsync(ct).ConfigureAwait(false);
        if (!MediaItem.IsLowerHexSha256(seal.Sha256))
        {
            throw ValidationException.For("seal.sha256", "seal.sha256 must be 64 lowercase hex characters.");
        }

        if (signed != (seal.Signature is not null) || (seal.Signature is not null && !Base64Url.IsOfLength(seal.Signature, EcdsaSignature.Length)))
        {
            throw ValidationException.For("seal.signature", signed
                ? "seal.signature must be a 64-byte ECDSA P-256 signature (IEEE P1363 r || s) in unpadded base64url."
                : "seal.signature comes only with metadata.senderKeyId.");
        }

        return string.Equals(seal.Sha256, storedSha256, StringComparison.Ordinal) ? (seal.Sha256!, seal.Signature) : throw HashMismatch("file");
    }

    /// <summary>A retried upload of the same content returns what the first one stored; other content under the id is a conflict.</summary>
    private async Task<UploadMediaResult> RetriedAsync(MediaItem existing, UploadMediaCommand command, Guid userId, CancellationToken ct)
    {
        if (existing.HoomiId != command.HoomiId || existing.IsDeleted || existing.Size != command.Metadata.Size
            || !string.Equals(existing.Sha256, command.Metadata.Sha256, StringComparison.Ordinal))
        {
            throw MediaIdTaken();
        }

        return new UploadMediaResult(await db.ToDtoAsync(existing, userId, ct).ConfigureAwait(false), Created: false);
    }

    /// <summary>
    /// The one answer for a media id that cannot be used, wherever it is used (this hoomi, another one the caller
    /// cannot see, a deleted item, a concurrent upload): media ids are one namespace, so "taken" is all it says.
    /// </summary>
    internal static ConflictException MediaIdTaken() =>
        new("media-id-in-use", "This media id is already taken; choose a new one.");

    /// <summary>
    /// Deletes blobs a crashed attempt left under this media id's usual keys, once this attempt's row is committed.
    /// Safe: no row references them (checked), and no other attempt can commit the id any more, so whichever attempt
    /// wrote them fails its insert and would delete them itself. A failure leaves them to the orphan sweep.
    /// </summary>
    private async Task RemoveLeftoversAsync(List<string> leftovers)
    {
        foreach (var key in leftovers)
        {
            try
            {
                if (!await db.Media.AnyAsync(x => x.StorageKey == key || x.ThumbnailStorageKey == key, CancellationToken.None).ConfigureAwait(false))
                {
                    await blobs.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The orphan sweep removes it later; the upload itself has succeeded.
            }
        }
    }
}
