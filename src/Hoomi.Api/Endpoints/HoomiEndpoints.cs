using Hoomi.Application.Common.Models;
using Hoomi.Application.Hoomis;
using Hoomi.Application.Hoomis.Commands.CreateHoomi;
using Hoomi.Application.Hoomis.Queries.GetHoomi;
using Hoomi.Application.Hoomis.Queries.ListHoomis;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hoomi.Api.Endpoints;

public static class HoomiEndpoints
{
    public static IEndpointRouteBuilder MapHoomiEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/hoomis").WithTags("Hoomis").RequireAuthorization();
        group.MapPost("/", Create).WithName("CreateHoomi").WithSummary("Create a hoomi; the caller becomes its owner.");
        group.MapGet("/", List).WithName("ListHoomis").WithSummary("The hoomis the caller belongs to.");
        group.MapGet("/{hoomiId:guid}", Get).WithName("GetHoomi").WithSummary("One hoomi the caller belongs to.");
        return app;
    }

    public sealed record CreateHoomiRequest(string? Name);

    private static async Task<Created<HoomiDto>> Create(CreateHoomiRequest request, ISender sender, CancellationToken ct)
    {
        var hoomi = await sender.Send(new CreateHoomiCommand(request.Name ?? ""), ct);
        return TypedResults.Created($"/hoomis/{hoomi.Id}", hoomi);
    }

    private static async Task<Ok<ListResult<HoomiDto>>> List(ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new ListHoomisQuery(), ct));

    private static async Task<Ok<HoomiDto>> Get(Guid hoomiId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetHoomiQuery(hoomiId), ct));
}
