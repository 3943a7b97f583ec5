namespace Hoomi.Domain.Hoomis;

public enum MemberRole
{
    Member = 0,
    Owner = 1,
}
