using System.Text.Json.Nodes;
using Hoomi.Application.Common.Models;
using Hoomi.Application.Events.Queries.GetLatestEventCursor;
using Hoomi.Application.Events.Queries.ListEvents;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hoomi.Api.Endpoints;

public static class EventEndpoints
{
    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/hoomis/{hoomiId:guid}/events").WithTags("Events").RequireAuthorization();
        group.MapGet("/", List).WithName("ListEvents")
            .WithSummary("Events after a cursor, oldest first: how a reconnecting client catches up on what the hub sent while it was away.");
        group.MapGet("/latest", Latest).WithName("GetLatestEventCursor")
            .WithSummary("The cursor of the newest event (\"0\" when there is none): where a client that wants only new events starts.");
        return app;
    }

    private static async Task<Ok<LatestEventCursorDto>> Latest(Guid hoomiId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetLatestEventCursorQuery(hoomiId), ct));

    private static async Task<Ok<PagedResult<JsonObject>>> List(Guid hoomiId, string? after, int? limit, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new ListEventsQuery(hoomiId, after, limit), ct));
}
