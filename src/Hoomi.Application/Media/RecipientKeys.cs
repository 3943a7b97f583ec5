using Hoomi.Application.Common.Interfaces;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Media;

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
}
