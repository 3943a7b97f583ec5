namespace Hoomi.Application.Invitations;

/// <summary>An invitation the caller has not answered yet: which hoomi, who invited, when.</summary>
public sealed record InvitationDto(Guid HoomiId, string HoomiName, Guid InvitedBy, string InvitedByUserName, DateTimeOffset InvitedAt);
