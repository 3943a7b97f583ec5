using Hoomi.Domain.Hoomis;
using Hoomi.Domain.Keys;
using Hoomi.Domain.Media;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Hoomi.Application.Common;

/// <summary>
/// The queries of the hot paths (every request's membership check, the upload's checks, the download's lookup),
/// compiled once: a LINQ query builds its expression tree anew on every call and EF Core then extracts its parameters
/// and looks up its cache (≈ a third of a small upload's allocations, bench/README.md); a compiled one does neither.
/// Written against <see cref="DbContext"/>, since the use cases see the database as <see cref="Interfaces.IHoomiDbContext"/>:
/// the service's context is one. A compiled query refuses a model other than the one it was compiled against, so
/// there is one set per model (<see cref="For"/>): PostgreSQL and SQLite contexts, or several hosts, in one process.
/// </summary>
internal sealed class CompiledQueries
{
    /// <summary>A row of <see cref="MemberKeysAndIdTaken"/>.</summary>
    internal sealed record KeyAndIdTaken(DeviceKey Key, bool IdTaken);

    private static readonly ConditionalWeakTable<IModel, CompiledQueries> ByModel = new();

    /// <summary>The compiled queries for this context's model.</summary>
    public static CompiledQueries For(DbContext db) => ByModel.GetValue(db.Model, _ => new CompiledQueries());

    public readonly Func<DbContext, Guid, Guid, CancellationToken, Task<Membership?>> Membership =
        EF.CompileAsyncQuery((DbContext db, Guid hoomiId, Guid userId, CancellationToken _) =>
            db.Set<Membership>().AsNoTracking().FirstOrDefault(m => m.HoomiId == hoomiId && m.UserId == userId));

    /// <summary>Whether a media row (any hoomi, deleted or not) has the id.</summary>
    public readonly Func<DbContext, Guid, CancellationToken, Task<bool>> MediaIdTaken =
        EF.CompileAsyncQuery((DbContext db, Guid mediaId, CancellationToken _) => db.Set<MediaItem>().Any(e => e.Id == mediaId));

    /// <summary>
    /// <see cref="MemberKeys"/>, each row with whether a media row has the id (an uncorrelated EXISTS, which
    /// PostgreSQL evaluates once): the upload's id check and recipient keys in one round trip.
    /// </summary>
    public readonly Func<DbContext, Guid, Guid, IAsyncEnumerable<KeyAndIdTaken>> MemberKeysAndIdTaken =
        EF.CompileAsyncQuery((DbContext db, Guid hoomiId, Guid mediaId) =>
            db.Set<DeviceKey>().AsNoTracking()
                .Where(k => k.RevokedAt == null && db.Set<Membership>().Any(m => m.HoomiId == hoomiId && m.UserId == k.UserId))
                .Select(k => new KeyAndIdTaken(k, db.Set<MediaItem>().Any(e => e.Id == mediaId))));

    /// <summary>Every active device key of every current member of the hoomi.</summary>
    public readonly Func<DbContext, Guid, IAsyncEnumerable<DeviceKey>> MemberKeys =
        EF.CompileAsyncQuery((DbContext db, Guid hoomiId) =>
            db.Set<DeviceKey>().AsNoTracking()
                .Where(k => k.RevokedAt == null && db.Set<Membership>().Any(m => m.HoomiId == hoomiId && m.UserId == k.UserId)));

    /// <summary>A media item the user may see (not deleted, in a hoomi the user belongs to), untracked, without its wraps.</summary>
    public readonly Func<DbContext, Guid, Guid, CancellationToken, Task<MediaItem?>> VisibleMedia =
        EF.CompileAsyncQuery((DbContext db, Guid mediaId, Guid userId, CancellationToken _) =>
            db.Set<MediaItem>().AsNoTracking()
                .FirstOrDefault(m => m.Id == mediaId && m.DeletedAt == null
                    && db.Set<Membership>().Any(x => x.HoomiId == m.HoomiId && x.UserId == userId)));
}
