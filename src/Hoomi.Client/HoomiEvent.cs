using System.Text.Json.Nodes;

namespace Hoomi.Client;

/// <summary>
/// A live event of the hub (<c>MediaUploaded</c>, <c>MediaDeleted</c>, <c>MemberAdded</c>, <c>MemberRemoved</c>,
/// <c>KeysShared</c>) with its JSON payload: ids and public metadata only, never keys.
/// </summary>
public sealed record HoomiEvent(string Name, Guid HoomiId, JsonObject Data)
{
    public static IReadOnlyList<string> Names { get; } = ["MediaUploaded", "MediaDeleted", "MemberAdded", "MemberRemoved", "KeysShared"];

    public Guid? MediaId => Data["mediaId"] is JsonValue v && Guid.TryParse(v.ToString(), out var id) ? id : null;
}
