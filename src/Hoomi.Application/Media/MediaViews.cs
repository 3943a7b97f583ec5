using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Keys;
using Hoomi.Domain.Media;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Media;

/// <summary>
/// Builds media DTOs for a caller with a fixed number of queries whatever the number of items: the wraps
/// of all items (upload wraps and the caller's own), then every device key their signatures name.
/// </summary>
public static class MediaViews
{
    public static async Task<MediaDto> ToDtoAsync(this IHoomiDbContext db, MediaItem media, Guid callerId, CancellationToken ct) =>
        (await db.ToDtosAsync([media], callerId, ct).ConfigureAwait(false))[0];

    public static async Task<IReadOnlyList<MediaDto>> ToDtosAsync(this IHoomiDbContext db, IReadOnlyList<MediaItem> items, Guid callerId, CancellationToken ct)
    {
        if (items.Count == 0)
        {
            return [];
        }

        var ids = items.Select(m => m.Id).ToList();
        // Upload wraps are those without a signer; the caller's own wraps are wanted whoever made them.
        var wraps = await db.WrappedKeys.AsNoTracking()
            .Where(k => ids.Contains(k.MediaId) && (k.RecipientUserId == callerId || k.SignerKeyId == null))
            .ToListAsync(ct).ConfigureAwait(false);
        return await db.ToDtosAsync(items, callerId, wraps, ct).ConfigureAwait(false);
    }

    /// <summary>Builds the DTOs from wraps already at hand (a new upload's or forward's own, in memory).</summary>
    public static async Task<IReadOnlyList<MediaDto>> ToDtosAsync(
        this IHoomiDbContext db, IReadOnlyList<MediaItem> items, Guid callerId, IReadOnlyCollection<WrappedKey> wraps, CancellationToken ct)
    {
        var devices = await db.DevicesAsync(
            items.Select(m => m.SenderKeyId).Concat(wraps.Where(k => k.RecipientUserId == callerId).Select(k => k.SignerKeyId)), ct).ConfigureAwait(false);
        var byMedia = wraps.ToLookup(k => k.MediaId);
        return [.. items.Select(m => m.ToDto(callerId, byMedia[m.Id], devices))];
    }

    /// <summary>The device keys with these ids, revoked ones included (a signature made before revocation stays checkable).</summary>
    public static async Task<IReadOnlyDictionary<string, DeviceKey>> DevicesAsync(this IHoomiDbContext db, IEnumerable<string?> keyIds, CancellationToken ct)
    {
        var wanted = keyIds.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0)
        {
            return new Dictionary<string, DeviceKey>(StringComparer.Ordinal);
        }

        var keys = await db.DeviceKeys.AsNoTracking().Where(k => wanted.Contains(k.KeyId)).ToListAsync(ct).ConfigureAwait(false);
        return keys.ToDictionary(k => k.KeyId, StringComparer.Ordinal);
    }
}
