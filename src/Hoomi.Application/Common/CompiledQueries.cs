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
    private static readonly ConditionalWeakTable<IModel, CompiledQueries> ByModel = new();

    /// <summary>The compiled queries for this context's model.</summary>
    public static CompiledQueries For(DbContext db) => ByModel.GetValue(db.Model, _ => new CompiledQueries());

    public readonly Func<DbContext, Guid, Guid, CancellationToken, Task<Membership?>> Membership =
        EF.CompileAsyncQuery((DbContext db, Guid hoomiId, Guid userId, CancellationToken _) =>
            db.Set<Membership>().AsNoTracking().FirstOrDefault(m => m.HoomiId == hoomiId && m.UserId == userId));

    /// <summary>Null when the user is not a member; otherwise whether a media row (any hoomi, deleted or not) has the id.</summary>
    public readonly Func<DbContext, Guid, Guid, Guid, CancellationToken, Task<bool?>> MemberAndIdTaken =
        EF.CompileAsyncQuery((DbContext db, Guid hoomiId, Guid userId, Guid mediaId, CancellationToken _) =>
            db.Set<Membership>().AsNoTracking()
                .Where(m => m.HoomiId == hoomiId && m.UserId == userId)
                .Select(m => (bool?)db.Set<MediaItem>().Any(e => e.Id == mediaId))
                .FirstOrDefault());

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
