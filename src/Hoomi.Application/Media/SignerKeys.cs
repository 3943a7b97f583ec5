using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Keys;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Media;

/// <summary>The device keys the caller may sign items and shares with: active, the caller's own, and certified (hoomi-e2ee-2).</summary>
public static class SignerKeys
{
    /// <summary>Refuses (400 on <paramref name="field"/>) any key id that is not an active, certified device key of <paramref name="userId"/>.</summary>
    public static async Task RequireCertifiedAsync(IHoomiDbContext db, Guid userId, IEnumerable<string> keyIds, string field, CancellationToken ct)
    {
        var wanted = keyIds.Distinct(StringComparer.Ordinal).ToList();
        var usable = await db.DeviceKeys.AsNoTracking()
            .Where(k => wanted.Contains(k.KeyId) && k.UserId == userId && k.RevokedAt == null && k.Signature != null)
            .Select(k => k.KeyId)
            .ToListAsync(ct).ConfigureAwait(false);
        RefuseAllBut(usable, wanted, field);
    }

    /// <summary>
    /// <see cref="RequireCertifiedAsync"/> against device keys already read (<paramref name="activeKeys"/>: active keys,
    /// e.g. every member's, the caller's among them), with no further query.
    /// </summary>
    public static void RequireCertified(IEnumerable<DeviceKey> activeKeys, Guid userId, IEnumerable<string> keyIds, string field)
    {
        var wanted = keyIds.Distinct(StringComparer.Ordinal).ToList();
        var usable = activeKeys.Where(k => k.UserId == userId && k.RevokedAt == null && k.Signature != null).Select(k => k.KeyId);
        RefuseAllBut(usable, wanted, field);
    }

    private static void RefuseAllBut(IEnumerable<string> usable, List<string> wanted, string field)
    {
        var refused = wanted.Except(usable, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (refused.Count > 0)
        {
            throw ValidationException.For(field, "Not an active device key of yours with a device certificate: " + string.Join(", ", refused));
        }
    }
}
