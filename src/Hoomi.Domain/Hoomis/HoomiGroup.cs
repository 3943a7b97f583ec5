using Hoomi.Domain.Common;

namespace Hoomi.Domain.Hoomis;

/// <summary>
/// A hoomi: a small group sharing end-to-end-encrypted files. Named <c>HoomiGroup</c> in code because
/// a type called <c>Hoomi</c> would be hidden by the root namespace <c>Hoomi</c> (decision 004).
/// Invariant: there is always at least one owner.
/// </summary>
public sealed class HoomiGroup
{
    public const int MaxNameLength = 100;

    private readonly List<Membership> _members = [];

    private HoomiGroup()
    {
        Name = "";
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public IReadOnlyCollection<Membership> Members => _members.AsReadOnly();

    /// <summary>This hoomi's own storage quota in bytes; null means the service's default.</summary>
    public long? StorageQuotaBytes { get; private set; }

    /// <summary>Ciphertext bytes stored for this hoomi (content and thumbnails, until purged).</summary>
    public long UsedBytes { get; private set; }

    /// <summary>Bytes reserved by uploads in progress; they count against the quota until committed or released.</summary>
    public long ReservedBytes { get; private set; }

    /// <summary>When a reservation last changed; reservations left by a crashed instance are reset after a while.</summary>
    public DateTimeOffset? ReservedAt { get; private set; }

    public static HoomiGroup Create(Guid id, string name, Guid ownerId, DateTimeOffset now)
    {
        var group = new HoomiGroup { Id = id, CreatedAt = now };
        group.Rename(name);
        group._members.Add(new Membership(id, ownerId, MemberRole.Owner, now));
        return group;
    }

    public void Rename(string name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0 || trimmed.Length > MaxNameLength)
        {
            throw DomainException.Invalid("invalid-name", $"A hoomi name has 1 to {MaxNameLength} characters.");
        }

        Name = trimmed;
    }

    /// <summary>Overrides the service's default quota for this hoomi (null restores the default).</summary>
    public void SetStorageQuota(long? bytes)
    {
        if (bytes is < 0)
        {
            throw DomainException.Invalid("invalid-quota", "A storage quota cannot be negative.");
        }

        StorageQuotaBytes = bytes;
    }

    public Membership? FindMember(Guid userId) => _members.Find(m => m.UserId == userId);

    public bool IsMember(Guid userId) => FindMember(userId) is not null;

    public bool IsOwner(Guid userId) => FindMember(userId)?.IsOwner == true;

    /// <summary>Refuses (403) a caller who is not an owner: only owners invite, whoever the invitee is.</summary>
    public void EnsureCanInvite(Guid invitedBy) => EnsureOwner(invitedBy, "invite members");

    /// <summary>An owner invites a user; the user becomes a member only by accepting (<see cref="Join"/>).</summary>
    public Invitation Invite(Guid userId, Guid invitedBy, DateTimeOffset now)
    {
        EnsureCanInvite(invitedBy);
        if (IsMember(userId))
        {
            throw DomainException.Conflict("already-member", "The user is already a member of this hoomi.");
        }

        return new Invitation(Id, userId, invitedBy, now);
    }

    /// <summary>The invitee accepts an invitation to this hoomi and becomes a plain member.</summary>
    public Membership Join(Invitation invitation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(invitation);
        if (invitation.HoomiId != Id)
        {
            throw new ArgumentException("The invitation is for another hoomi.", nameof(invitation));
        }

        if (IsMember(invitation.UserId))
        {
            throw DomainException.Conflict("already-member", "The user is already a member of this hoomi.");
        }

        var membership = new Membership(Id, invitation.UserId, MemberRole.Member, now);
        _members.Add(membership);
        return membership;
    }

    /// <summary>An owner removes a member, or a member leaves (<paramref name="userId"/> = <paramref name="removedBy"/>).</summary>
    public Membership RemoveMember(Guid userId, Guid removedBy)
    {
        var membership = FindMember(userId)
            ?? throw DomainException.Conflict("not-a-member", "The user is not a member of this hoomi.");
        if (userId != removedBy)
        {
            EnsureOwner(removedBy, "remove other members");
        }

        if (membership.IsOwner && _members.Count(m => m.IsOwner) == 1)
        {
            throw DomainException.Conflict(
                "last-owner",
                "The last owner cannot leave or be removed; make another member owner first.");
        }

        _members.Remove(membership);
        return membership;
    }

    /// <summary>An owner promotes or demotes a member; the last owner cannot step down.</summary>
    public void ChangeRole(Guid userId, MemberRole role, Guid changedBy)
    {
        EnsureOwner(changedBy, "change roles");
        var membership = FindMember(userId)
            ?? throw DomainException.Conflict("not-a-member", "The user is not a member of this hoomi.");
        if (membership.IsOwner && role != MemberRole.Owner && _members.Count(m => m.IsOwner) == 1)
        {
            throw DomainException.Conflict("last-owner", "A hoomi keeps at least one owner.");
        }

        membership.ChangeRole(role);
    }

    private void EnsureOwner(Guid userId, string action)
    {
        if (!IsOwner(userId))
        {
            throw DomainException.Forbidden("owner-required", $"Only an owner of the hoomi can {action}.");
        }
    }
}
