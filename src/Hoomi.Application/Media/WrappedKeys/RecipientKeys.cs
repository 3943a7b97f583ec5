using Hoomi.Application.Common;
using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Keys;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Media.WrappedKeys;

/// <summary>The device keys a hoomi's file keys must be wrapped for: the active keys of its current members.</summary>
public static class RecipientKeys
{
    /// <summary>Key id → owning user id, for every active device key of every current member of the hoomi.</summary>
    public static async Task<Dictionary<string, Guid>> CurrentAsync(IHoomiDbContext db, Guid hoomiId, CancellationToken cancellationToken)
    {
        var keys = await db.DeviceKeys.AsNoTracking()
            .Where(k => k.RevokedAt == null && db.Memberships.Any(m => m.HoomiId == hoomiId && m.UserId == k.UserId))
            .Select(k => new { k.KeyId, k.UserId })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return keys.ToDictionary(k => k.KeyId, k => k.UserId, StringComparer.Ordinal);
    }

    /// <summary>
    /// Every active device key of every current member of the hoomi, whole (for a caller that also needs the keys
    /// themselves: the upload checks its signer key and builds its answer from them, with no further query).
    /// </summary>
    public static async Task<List<DeviceKey>> CurrentKeysAsync(IHoomiDbContext db, Guid hoomiId, CancellationToken cancellationToken)
    {
        if (db is not DbContext context)
        {
            return await db.DeviceKeys.AsNoTracking()
                .Where(k => k.RevokedAt == null && db.Memberships.Any(m => m.HoomiId == hoomiId && m.UserId == k.UserId))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        var keys = new List<DeviceKey>();
        await foreach (var key in CompiledQueries.For(context).MemberKeys(context, hoomiId).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(key);
        }

        return keys;
    }

    /// <summary>
    /// <see cref="CurrentKeysAsync"/> and whether a media row (any hoomi, deleted or not) has <paramref name="mediaId"/>,
    /// in one round trip (a second one only when the hoomi's members have no active key at all).
    /// </summary>
    public static async Task<(List<DeviceKey> Keys, bool IdTaken)> CurrentKeysAndIdTakenAsync(
        IHoomiDbContext db, Guid hoomiId, Guid mediaId, CancellationToken cancellationToken)
    {
        if (db is not DbContext context)
        {
            var all = await CurrentKeysAsync(db, hoomiId, cancellationToken).ConfigureAwait(false);
            return (all, await db.Media.AnyAsync(e => e.Id == mediaId, cancellationToken).ConfigureAwait(false));
        }

        var queries = CompiledQueries.For(context);
        var keys = new List<DeviceKey>();
        bool? taken = null;
        await foreach (var row in queries.MemberKeysAndIdTaken(context, hoomiId, mediaId).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(row.Key);
            taken = row.IdTaken;
        }

        return (keys, taken ?? await queries.MediaIdTaken(context, mediaId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The wrapped keys must name exactly the active device keys of the hoomi's current members: an unknown
    /// key is a validation error, a missing one a conflict listing the missing ids (the client refetches and retries).
    /// </summary>
    public static async Task<Dictionary<string, Guid>> RequireExactSetAsync(
        IHoomiDbContext db, Guid hoomiId, IEnumerable<IWrapFields?> wrappedKeys, CancellationToken cancellationToken)
    {
        var current = await CurrentAsync(db, hoomiId, cancellationToken).ConfigureAwait(false);
        RequireExactSet(current, wrappedKeys);
        return current;
    }

    /// <summary><see cref="RequireExactSetAsync"/> against a key set already read (key id → owning user id).</summary>
    public static void RequireExactSet(Dictionary<string, Guid> current, IEnumerable<IWrapFields?> wrappedKeys)
    {
        var given = wrappedKeys.Select(k => k!.RecipientKeyId!).ToHashSet(StringComparer.Ordinal);
        RequireKnown(current, given);
        var missing = current.Keys.Where(id => !given.Contains(id)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new ConflictException(
                "wrapped-keys-out-of-date",
                "The file key is not wrapped for every member device key; fetch the members again and retry.",
                new Dictionary<string, object?> { ["missingKeyIds"] = missing });
        }
    }

    /// <summary>
    /// Every wrap must be for an active device key of a current member (key id → owning user id in
    /// <paramref name="current"/>); otherwise a validation error on <c>wrappedKeys</c> naming the unknown ids.
    /// </summary>
    public static void RequireKnown(IReadOnlyDictionary<string, Guid> current, IEnumerable<string> recipientKeyIds)
    {
        var unknown = recipientKeyIds.Where(id => !current.ContainsKey(id)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw ValidationException.For("wrappedKeys", "Not an active device key of a member of this hoomi: " + string.Join(", ", unknown));
        }
    }
}
