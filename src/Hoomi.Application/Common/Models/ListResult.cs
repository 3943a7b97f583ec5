namespace Hoomi.Application.Common.Models;

/// <summary>The wire shape of every list: <c>{"items": [...]}</c>, plus <c>nextCursor</c> where the list pages.</summary>
public sealed record ListResult<T>(IReadOnlyList<T> Items);

public sealed record PagedResult<T>(IReadOnlyList<T> Items, string? NextCursor);
