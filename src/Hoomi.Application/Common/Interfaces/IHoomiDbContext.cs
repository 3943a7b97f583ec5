using Hoomi.Domain.Events;
using Hoomi.Domain.Hoomis;
using Hoomi.Domain.Keys;
using Hoomi.Domain.Media;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Hoomi.Application.Common.Interfaces;

/// <summary>The database as the use cases see it: the aggregates' sets, the users, and the unit of work.</summary>
public interface IHoomiDbContext
{
    DbSet<HoomiGroup> Hoomis { get; }

    DbSet<Membership> Memberships { get; }

    DbSet<Invitation> Invitations { get; }

    DbSet<DeviceKey> DeviceKeys { get; }

    DbSet<MediaItem> Media { get; }

    DbSet<WrappedKey> WrappedKeys { get; }

    DbSet<HoomiEvent> HoomiEvents { get; }

    /// <summary>Accounts, whichever system issued them (local accounts or the organisation's identity provider).</summary>
    IQueryable<UserInfo> Users { get; }

    /// <summary>Saves; a unique-key clash from a concurrent request becomes a <see cref="Exceptions.ConflictException"/>.</summary>
    Task<int> SaveChangesAsync(CancellationToken cancellationToken);

    Task<IDbContextTransaction> BeginTransactionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Inside a transaction, in one round trip: locks the hoomi's row for the rest of the transaction (an UPDATE,
    /// which also moves <paramref name="commitReservedBytes"/> from reserved to used: 0 leaves the row as it is), then,
    /// as a statement of its own that runs once the lock is held, reads the largest event number of the hoomi's
    /// journal (0 when it has none, or when the hoomi was created in this very unit of work and has no row yet).
    /// </summary>
    Task<long> LockHoomiForJournalAsync(Guid hoomiId, long commitReservedBytes, CancellationToken cancellationToken);
}

/// <summary>
/// An account as the use cases see it. Init properties rather than a positional record: EF Core can
/// translate filters and joins on members of an object initializer, not on a constructor's arguments.
/// </summary>
public sealed record UserInfo
{
    public required Guid Id { get; init; }

    public required string UserName { get; init; }

    /// <summary>The user name as the account store looks it up: <see cref="NormalizeUserName"/> of <see cref="UserName"/>.</summary>
    public required string NormalizedUserName { get; init; }

    /// <summary>
    /// How user names are compared: case-insensitively, after Unicode normalisation (what ASP.NET Core Identity's
    /// default lookup normaliser stores for every account), so "Bob@Example.com" finds bob@example.com.
    /// </summary>
    public static string NormalizeUserName(string userName) => userName.Trim().Normalize().ToUpperInvariant();
}
