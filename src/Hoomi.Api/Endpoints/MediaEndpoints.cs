using Hoomi.Application.Media.WrappedKeys;
using Hoomi.Application.Hoomis.Queries.RequireMembership;
using Hoomi.Api.Media;
using Hoomi.Api.RateLimiting;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Common.Models;
using Hoomi.Application.Media;
using Hoomi.Application.Media.Commands.DeleteMedia;
using Hoomi.Application.Media.Commands.DeleteWrappedKey;
using Hoomi.Application.Media.Commands.ForwardMedia;
using Hoomi.Application.Media.Commands.RestoreMedia;
using Hoomi.Application.Media.Commands.ShareKeys;
using Hoomi.Application.Media.Commands.UploadMedia;
using Hoomi.Application.Media.Queries.GetMediaInfo;
using Hoomi.Application.Media.Queries.GetMediaKeys;
using Hoomi.Application.Media.Queries.ListMedia;
using Hoomi.Application.Media.Queries.OpenMediaContent;
using Mediator;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;

namespace Hoomi.Api.Endpoints;

public static class MediaEndpoints
{
    public static IEndpointRouteBuilder MapMediaEndpoints(this IEndpointRouteBuilder app)
    {
        var hoomiMedia = app.MapGroup("/hoomis/{hoomiId:guid}/media").WithTags("Media").RequireAuthorization();
        hoomiMedia.MapPost("/", Upload).WithName("UploadMedia")
            .WithSummary("Upload an encrypted file: multipart/form-data with parts metadata (JSON), file (HME1 ciphertext), optional thumbnail.");
        hoomiMedia.MapGet("/", List).WithName("ListMedia").WithSummary("A hoomi's media, newest first; pass nextCursor back as cursor.");

        var media = app.MapGroup("/media/{mediaId:guid}").WithTags("Media").RequireAuthorization();
        media.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], Download).WithName("DownloadMedia")
            .WithSummary("The ciphertext; supports Range, If-None-Match and If-Range.");
        media.MapGet("/info", Info).WithName("GetMediaInfo").WithSummary("Public metadata and the caller's wrapped keys.");
        media.MapMethods("/thumbnail", [HttpMethods.Get, HttpMethods.Head], Thumbnail).WithName("DownloadThumbnail")
            .WithSummary("The encrypted thumbnail, cacheable forever.");
        media.MapGet("/keys", Keys).WithName("GetMediaKeys").WithSummary("The caller's wrapped keys and the member device keys that still lack one.");
        media.MapPost("/keys", ShareKeys).WithName("ShareKeys")
            .WithSummary("Add wrapped keys for member device keys that lack one, each signed by one of the caller's certified device keys.");
        media.MapDelete("/keys/{keyId}", DeleteWrappedKey).WithName("DeleteWrappedKey")
            .WithSummary("The owner of device key keyId removes the wrap made for it (another member's share may then fill it again).");
        media.MapDelete("/", Delete).WithName("DeleteMedia").WithSummary("The uploader or an owner deletes (soft delete).");
        media.MapPost("/restore", Restore).WithName("RestoreMedia").WithSummary("The uploader or an owner restores a deletion within the retention window.");
        media.MapPost("/forward", Forward).WithName("ForwardMedia")
            .WithSummary("Forward to another hoomi with the file key re-wrapped for its members; the blob is shared, not copied.");
        return app;
    }

    private static async Task<Results<Created<MediaDto>, Ok<MediaDto>, EmptyHttpResult>> Upload(
        Guid hoomiId, HttpContext http, ISender sender, IOptions<MediaOptions> options, IOptions<JsonOptions> json,
        UploadByteLimiter byteLimiter, ICurrentUser user, CancellationToken ct)
    {
        // Membership first: nothing of the body is read, and the body limit is not raised, for someone outside the hoomi.
        await sender.Send(new RequireMembershipQuery(hoomiId), ct);

        // The declared size is enforced while streaming; the server-wide limit must not cut large files short.
        var limit = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (limit is { IsReadOnly: false })
        {
            limit.MaxRequestBodySize = options.Value.MaxSize + options.Value.MaxThumbnailSize + (8 * 1024 * 1024);
        }

        // A trickling upload must not hold its quota reservation and a connection indefinitely: below the minimum rate
        // (averaged, after the grace period) Kestrel cuts the body; a pause longer than the idle timeout cuts it too.
        // Both surface as UploadTooSlowException, and the handler then removes what was stored and releases the reservation.
        var rate = http.Features.Get<IHttpMinRequestBodyDataRateFeature>();
        if (rate is not null && options.Value.MinUploadBytesPerSecond > 0)
        {
            rate.MinDataRate = new MinDataRate(options.Value.MinUploadBytesPerSecond, options.Value.MinUploadRateGracePeriod);
        }

        var parts = MultipartUploadParts.Begin(http.Request, options.Value.UploadIdleTimeout);
        var metadata = await parts.ReadMetadataAsync(json.Value.SerializerOptions, ct);
        if (metadata.Size is > 0 && byteLimiter.TryTake(user.Id, metadata.Size.Value) is { } retryAfter)
        {
            await RateLimitSetup.WriteTooManyAsync(http, retryAfter, "Upload volume limit reached.");
            return TypedResults.Empty;
        }

        var result = await sender.Send(new UploadMediaCommand(hoomiId, metadata, parts), ct);
        return result.Created
            ? TypedResults.Created($"/media/{result.Media.Id}/info", result.Media)
            : TypedResults.Ok(result.Media);
    }

    private static async Task<Ok<PagedResult<MediaDto>>> List(Guid hoomiId, string? cursor, int? limit, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new ListMediaQuery(hoomiId, cursor, limit ?? ListMediaQuery.DefaultLimit), ct));

    private static async Task Download(Guid mediaId, HttpContext http, ISender sender, CancellationToken ct)
    {
        var content = await sender.Send(new OpenMediaContentQuery(mediaId, MediaPart.Content), ct);
        await BlobResponse.WriteAsync(http, content, "content", $"{mediaId}.hme1", "private, no-cache", ct);
    }

    private static async Task Thumbnail(Guid mediaId, HttpContext http, ISender sender, CancellationToken ct)
    {
        var content = await sender.Send(new OpenMediaContentQuery(mediaId, MediaPart.Thumbnail), ct);
        await BlobResponse.WriteAsync(http, content, "thumbnail", $"{mediaId}.thumb.hme1", "private, max-age=31536000, immutable", ct);
    }

    private static async Task<Ok<MediaDto>> Info(Guid mediaId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetMediaInfoQuery(mediaId), ct));

    private static async Task<Ok<MediaKeysDto>> Keys(Guid mediaId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetMediaKeysQuery(mediaId), ct));

    public sealed record ShareKeysRequest(IReadOnlyList<SharedWrappedKey?>? WrappedKeys);

    private static async Task<Ok<ShareKeysResult>> ShareKeys(Guid mediaId, ShareKeysRequest request, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new ShareKeysCommand(mediaId, request.WrappedKeys), ct));

    private static async Task<NoContent> DeleteWrappedKey(Guid mediaId, string keyId, ISender sender, CancellationToken ct)
    {
        await sender.Send(new DeleteWrappedKeyCommand(mediaId, keyId), ct);
        return TypedResults.NoContent();
    }

    public sealed record ForwardRequest(
        Guid TargetHoomiId, string? MediaId, string? EncryptedMetadata, IReadOnlyList<UploadWrappedKey?>? WrappedKeys,
        string? SenderKeyId = null, string? Signature = null);

    private static async Task<Created<MediaDto>> Forward(Guid mediaId, ForwardRequest request, ISender sender, CancellationToken ct)
    {
        var forwarded = await sender.Send(
            new ForwardMediaCommand(mediaId, request.TargetHoomiId, request.MediaId, request.EncryptedMetadata, request.WrappedKeys,
                request.SenderKeyId, request.Signature), ct);
        return TypedResults.Created($"/media/{forwarded.Id}/info", forwarded);
    }

    private static async Task<Ok<MediaDto>> Restore(Guid mediaId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new RestoreMediaCommand(mediaId), ct));

    private static async Task<NoContent> Delete(Guid mediaId, ISender sender, CancellationToken ct)
    {
        await sender.Send(new DeleteMediaCommand(mediaId), ct);
        return TypedResults.NoContent();
    }
}
