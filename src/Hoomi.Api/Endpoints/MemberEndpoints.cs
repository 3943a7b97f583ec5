using Hoomi.Application.Common.Models;
using Hoomi.Application.Members;
using Hoomi.Application.Members.Commands.AddMember;
using Hoomi.Application.Members.Commands.RemoveMember;
using Hoomi.Application.Members.Queries.ListMembers;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hoomi.Api.Endpoints;

public static class MemberEndpoints
{
    public static IEndpointRouteBuilder MapMemberEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/hoomis/{hoomiId:guid}/members").WithTags("Members").RequireAuthorization();
        group.MapGet("/", List).WithName("ListMembers").WithSummary("Members with their active device public keys.");
        group.MapPost("/", Add).WithName("AddMember")
            .WithSummary("An owner invites an account by user name; it becomes a member when it accepts. 202, the same for every name.");
        group.MapDelete("/{userId:guid}", Remove).WithName("RemoveMember").WithSummary("An owner removes a member, or a member leaves (their own id).");
        return app;
    }

    public sealed record AddMemberRequest(string? UserName);

    private static async Task<Ok<ListResult<MemberDto>>> List(Guid hoomiId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new ListMembersQuery(hoomiId), ct));

    private static async Task<Accepted> Add(Guid hoomiId, AddMemberRequest request, ISender sender, CancellationToken ct)
    {
        await sender.Send(new AddMemberCommand(hoomiId, request.UserName ?? ""), ct);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<NoContent> Remove(Guid hoomiId, Guid userId, ISender sender, CancellationToken ct)
    {
        await sender.Send(new RemoveMemberCommand(hoomiId, userId), ct);
        return TypedResults.NoContent();
    }
}
