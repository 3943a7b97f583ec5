using System.Text.Json.Nodes;

namespace Hoomi.Api.Realtime;

/// <summary>
/// What the hub sends to clients. Each event is a JSON object <c>{cursor, hoomiId, ...}</c> carrying the
/// public fields of architecture.md (ids and public metadata, never keys, names or tokens); <c>cursor</c>
/// is what <c>GET /hoomis/{id}/events?after=</c> takes to catch up after a reconnect.
/// </summary>
public interface IMediaClient
{
    /// <summary><c>{cursor, hoomiId, mediaId, uploaderId, mimeType, size, createdAt}</c></summary>
    Task MediaUploaded(JsonObject e);

    /// <summary><c>{cursor, hoomiId, mediaId}</c></summary>
    Task MediaDeleted(JsonObject e);

    /// <summary><c>{cursor, hoomiId, userId}</c></summary>
    Task MemberAdded(JsonObject e);

    /// <summary><c>{cursor, hoomiId, userId}</c>; the removed member's own connections get it too, as the last event of that hoomi.</summary>
    Task MemberRemoved(JsonObject e);

    /// <summary><c>{cursor, hoomiId, mediaId, recipientKeyIds}</c></summary>
    Task KeysShared(JsonObject e);
}
