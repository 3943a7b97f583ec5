namespace Hoomi.Domain.Hoomis;

/// <summary>
/// An owner's invitation of an account to a hoomi. The invitee becomes a member (and sees the hoomi, gets file
/// keys wrapped for their devices and receives its events) only by accepting it; until then nothing of the
/// hoomi or of the invitee's keys is shown to anyone else.
/// </summary>
public sealed class Invitation
{
    private Invitation()
    {
    }

    internal Invitation(Guid hoomiId, Guid userId, Guid invitedBy, DateTimeOffset invitedAt)
    {
        HoomiId = hoomiId;
        UserId = userId;
        InvitedBy = invitedBy;
        InvitedAt = invitedAt;
    }

    public Guid HoomiId { get; private set; }

    /// <summary>The invitee.</summary>
    public Guid UserId { get; private set; }

    public Guid InvitedBy { get; private set; }

    public DateTimeOffset InvitedAt { get; private set; }
}
