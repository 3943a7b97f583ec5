using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hoomi.Domain.Events;

namespace Hoomi.Application.Events;

/// <summary>Names of the events: the hub method that delivers each one and the <c>type</c> of a catch-up item.</summary>
public static class HoomiEventTypes
{
    public const string MediaUploaded = nameof(MediaUploaded);
    public const string MediaDeleted = nameof(MediaDeleted);
    public const string MemberAdded = nameof(MemberAdded);
    public const string MemberRemoved = nameof(MemberRemoved);
    public const string KeysShared = nameof(KeysShared);
}

/// <summary>
/// The one wire shape of an event, so that what arrives live and what a reconnecting client reads back
/// cannot drift apart: live <c>{cursor, hoomiId, ...}</c>, catch-up item <c>{cursor, type, hoomiId, ...}</c>.
/// </summary>
public static class HoomiEventJson
{
    /// <summary>The public fields of an event record (camelCase, as every other response).</summary>
    public static string Payload<TEvent>(TEvent e) => JsonSerializer.Serialize(e, JsonSerializerOptions.Web);

    public static string CursorOf(HoomiEvent e) => CursorOf(e.Sequence);

    /// <summary>The cursor of the journal position <paramref name="sequence"/> (0: before the first event).</summary>
    public static string CursorOf(long sequence) => sequence.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads a cursor given back by a client; cursors are opaque to clients, so anything else is malformed.</summary>
    public static bool TryParseCursor(string? cursor, out long sequence)
    {
        sequence = 0;
        return cursor is null
            || (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out sequence) && sequence >= 0);
    }

    public static JsonObject Live(HoomiEvent e) => Build(e, includeType: false);

    public static JsonObject Item(HoomiEvent e) => Build(e, includeType: true);

    private static JsonObject Build(HoomiEvent e, bool includeType)
    {
        var json = new JsonObject { ["cursor"] = CursorOf(e) };
        if (includeType)
        {
            json["type"] = e.Type;
        }

        foreach (var (name, value) in JsonNode.Parse(e.Payload)!.AsObject())
        {
            json[name] = value?.DeepClone();
        }

        return json;
    }
}
