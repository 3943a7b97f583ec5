using Hoomi.Application.Common.Models;
using Hoomi.Application.Invitations;
using Hoomi.Application.Invitations.Commands;
using Hoomi.Application.Invitations.Queries;
using Hoomi.Application.Keys;
using Hoomi.Application.Keys.Commands.RegisterDeviceKey;
using Hoomi.Application.Keys.Commands.RevokeDeviceKey;
using Hoomi.Application.Keys.Queries.ListMyKeys;
using Hoomi.Application.Users.Queries.GetMe;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hoomi.Api.Endpoints;

public static class MeEndpoints
{
    public static IEndpointRouteBuilder MapMeEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/me").WithTags("Me").RequireAuthorization();
        group.MapGet("/", Me).WithName("GetMe").WithSummary("The caller's user id and name.");
        group.MapGet("/keys", ListKeys).WithName("ListMyKeys").WithSummary("The caller's device keys, revoked ones included.");
        group.MapPut("/keys/{keyId}", RegisterKey).WithName("RegisterDeviceKey")
            .WithSummary("Register a device public key under its fingerprint (idempotent), optionally with its device certificate "
                + "(signingKey, identityKey, signature: all three or none); putting a key again with a certificate stores or replaces it.");
        group.MapGet("/invitations", ListInvitations).WithName("ListMyInvitations").WithSummary("The caller's pending invitations to hoomis.");
        group.MapPost("/invitations/{hoomiId:guid}/accept", AcceptInvitation).WithName("AcceptInvitation")
            .WithSummary("Accept an invitation: the caller becomes a member of the hoomi.");
        group.MapPost("/invitations/{hoomiId:guid}/decline", DeclineInvitation).WithName("DeclineInvitation")
            .WithSummary("Decline an invitation; it is removed.");
        group.MapDelete("/keys/{keyId}", RevokeKey).WithName("RevokeDeviceKey").WithSummary("Revoke one of the caller's device keys.");
        return app;
    }

    /// <summary>The device public key, and optionally its device certificate (hoomi-e2ee-2): all three of signingKey, identityKey and signature, or none.</summary>
    public sealed record RegisterKeyRequest(string? PublicKey, string? SigningKey = null, string? IdentityKey = null, string? Signature = null);

    private static async Task<Ok<MeDto>> Me(ISender sender, CancellationToken ct) => TypedResults.Ok(await sender.Send(new GetMeQuery(), ct));

    private static async Task<Ok<ListResult<DeviceKeyDto>>> ListKeys(ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new ListMyKeysQuery(), ct));

    private static async Task<Results<Created<DeviceKeyDto>, Ok<DeviceKeyDto>>> RegisterKey(
        string keyId, RegisterKeyRequest request, ISender sender, CancellationToken ct)
    {
        var result = await sender.Send(new RegisterDeviceKeyCommand(keyId, request.PublicKey, request.SigningKey, request.IdentityKey, request.Signature), ct);
        return result.Created
            ? TypedResults.Created($"/me/keys/{result.Key.KeyId}", result.Key)
            : TypedResults.Ok(result.Key);
    }

    private static async Task<Ok<ListResult<InvitationDto>>> ListInvitations(ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new ListMyInvitationsQuery(), ct));

    private static async Task<NoContent> AcceptInvitation(Guid hoomiId, ISender sender, CancellationToken ct)
    {
        await sender.Send(new AcceptInvitationCommand(hoomiId), ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeclineInvitation(Guid hoomiId, ISender sender, CancellationToken ct)
    {
        await sender.Send(new DeclineInvitationCommand(hoomiId), ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> RevokeKey(string keyId, ISender sender, CancellationToken ct)
    {
        await sender.Send(new RevokeDeviceKeyCommand(keyId), ct);
        return TypedResults.NoContent();
    }
}
