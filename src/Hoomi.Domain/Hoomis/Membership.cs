namespace Hoomi.Domain.Hoomis;

public sealed class Membership
{
    private Membership()
    {
    }

    internal Membership(Guid hoomiId, Guid userId, MemberRole role, DateTimeOffset joinedAt)
    {
        HoomiId = hoomiId;
        UserId = userId;
        Role = role;
        JoinedAt = joinedAt;
    }

    public Guid HoomiId { get; private set; }

    public Guid UserId { get; private set; }

    public MemberRole Role { get; private set; }

    public DateTimeOffset JoinedAt { get; private set; }

    public bool IsOwner => Role == MemberRole.Owner;

    internal void ChangeRole(MemberRole role) => Role = role;
}
