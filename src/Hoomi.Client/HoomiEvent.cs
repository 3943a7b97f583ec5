using System.Text.Json.Nodes;

namespace Hoomi.Client;

/// <summary>
/// A live event of the hub (<c>MediaUploaded</c>, <c>MediaDeleted</c>, <c>MemberAdded</c>, <c>MemberRemoved</c>,
/// <c>KeysShared</c>) with its JSON payload: ids and public metadata only, never keys.
/// </summary>
public sealed record HoomiEvent(string Name, Guid HoomiId, JsonObject Data)
{
    public static IReadOnlyList<string> Names { get; } = ["MediaUploaded", "MediaDeleted", "MemberAdded", "MemberRemoved", "KeysShared"];

    /// <summary>The event's position in its hoomi's journal (opaque); <c>GET /hoomis/{id}/events?after=</c> continues after it.</summary>
    public string? Cursor => Data["cursor"] is JsonValue v ? v.ToString() : null;

    /// <summary>True when the event came from the catch-up journal rather than live from the hub.</summary>
    public bool CaughtUp { get; init; }

    /// <summary>
    /// A journal item <c>{cursor, type, hoomiId, ...}</c> as an event of the same shape as a live one (the
    /// <c>type</c> becomes <see cref="Name"/>), so that callers print both alike.
    /// </summary>
    internal static HoomiEvent FromJournal(JsonObject item)
    {
        var data = (JsonObject)item.DeepClone();
        var name = data["type"]?.ToString() ?? "";
        data.Remove("type");
        return new HoomiEvent(name, Guid.TryParse(data["hoomiId"]?.ToString(), out var hoomiId) ? hoomiId : Guid.Empty, data) { CaughtUp = true };
    }

    public Guid? MediaId => Data["mediaId"] is JsonValue v && Guid.TryParse(v.ToString(), out var id) ? id : null;
}

/// <summary>A page of a hoomi's event journal, oldest first; <see cref="NextCursor"/> is set while more remain.</summary>
public sealed record HoomiEventPage(IReadOnlyList<HoomiEvent> Items, string? NextCursor);
