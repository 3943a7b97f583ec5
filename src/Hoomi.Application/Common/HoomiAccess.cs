using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Hoomis;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Common;

/// <summary>Membership checks shared by the use cases: a non-member learns nothing, not even that the hoomi exists.</summary>
public static class HoomiAccess
{
    /// <summary>
    /// The hoomi with its members, tracked, for a use case that changes it. Membership is not checked here: the request
    /// is an <see cref="Authorization.IHoomiRequest"/>, checked by the pipeline before the handler runs.
    /// </summary>
    public static async Task<HoomiGroup> LoadHoomiAsync(this IHoomiDbContext db, Guid hoomiId, CancellationToken cancellationToken) =>
        await db.Hoomis.Include(h => h.Members)
            .FirstOrDefaultAsync(h => h.Id == hoomiId, cancellationToken).ConfigureAwait(false)
        ?? throw new NotFoundException("Hoomi");

    /// <summary>
    /// The caller's membership of the hoomi, or 404 when there is none. Called by the authorization behaviour
    /// (<see cref="Authorization.HoomiAccessContext"/>), not by handlers.
    /// </summary>
    public static async Task<Membership> RequireMembershipAsync(this IHoomiDbContext db, Guid hoomiId, Guid userId, CancellationToken cancellationToken)
    {
        var membership = db is DbContext context
            ? await CompiledQueries.For(context).Membership(context, hoomiId, userId, cancellationToken).ConfigureAwait(false)
            : await db.Memberships.AsNoTracking()
                .FirstOrDefaultAsync(m => m.HoomiId == hoomiId && m.UserId == userId, cancellationToken).ConfigureAwait(false);
        return membership ?? throw new NotFoundException("Hoomi");
    }
}
