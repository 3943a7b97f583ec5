using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Events;
using Hoomi.Domain.Hoomis;
using Hoomi.Domain.Keys;
using Hoomi.Domain.Media;
using Hoomi.Infrastructure.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Hoomi.Infrastructure.Persistence;

/// <summary>
/// The one database context. Each provider has a subclass (<see cref="PostgresHoomiDbContext"/>,
/// <see cref="SqliteHoomiDbContext"/>) only so that each keeps its own migrations.
/// </summary>
public abstract class HoomiDbContext(DbContextOptions options)
    : IdentityDbContext<AppUser, IdentityRole<Guid>, Guid>(options), IHoomiDbContext
{
    public DbSet<HoomiGroup> Hoomis => Set<HoomiGroup>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<DeviceKey> DeviceKeys => Set<DeviceKey>();

    public DbSet<MediaItem> Media => Set<MediaItem>();

    public DbSet<WrappedKey> WrappedKeys => Set<WrappedKey>();

    public DbSet<HoomiEvent> HoomiEvents => Set<HoomiEvent>();

    IQueryable<UserInfo> IHoomiDbContext.Users => Users.Select(u => new UserInfo { Id = u.Id, UserName = u.UserName!, NormalizedUserName = u.NormalizedUserName! });

    public override async Task<int> SaveChangesAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (IsUniqueViolation(ex))
        {
            // Two requests raced to create the same thing (a member added twice, one key id registered twice).
            throw new ConflictException("already-exists", "The resource already exists (it was created by a concurrent request).");
        }
        catch (DbUpdateConcurrencyException)
        {
            // The row was changed or removed between this request's read and its write (a restore racing the purge).
            throw new ConflictException("concurrent-change", "The resource was changed or removed by a concurrent request; reload it and retry.");
        }
    }

    public Task<IDbContextTransaction> BeginTransactionAsync(CancellationToken cancellationToken) =>
        Database.BeginTransactionAsync(cancellationToken);

    public async Task<long> LockHoomiForJournalAsync(Guid hoomiId, long commitReservedBytes, CancellationToken cancellationToken)
    {
        // Two statements in one command. PostgreSQL (READ COMMITTED) takes a fresh snapshot for each statement, so the
        // SELECT, which starts after the UPDATE has waited for and taken the row lock, sees every event committed by the
        // writer that held it; SQLite's writer lock serialises the transactions anyway. The quota arithmetic is
        // DbStorageQuota.CommitAsync's (never below zero).
        var b = commitReservedBytes;
        var last = await Database.SqlQuery<long>($"""
            UPDATE hoomis SET reserved_bytes = CASE WHEN reserved_bytes >= {b} THEN reserved_bytes - {b} ELSE 0 END, used_bytes = used_bytes + {b} WHERE id = {hoomiId};
            SELECT COALESCE(MAX(sequence), 0) AS "Value" FROM hoomi_events WHERE hoomi_id = {hoomiId}
            """).ToListAsync(cancellationToken).ConfigureAwait(false);
        return last[0];
    }

    protected abstract bool IsUniqueViolation(DbUpdateException exception);

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(HoomiDbContext).Assembly);
    }
}
