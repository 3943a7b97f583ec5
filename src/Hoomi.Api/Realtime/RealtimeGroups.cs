namespace Hoomi.Api.Realtime;

internal static class RealtimeGroups
{
    public static string Hoomi(Guid hoomiId) => "hoomi:" + hoomiId.ToString("D");

    public static string User(Guid userId) => "user:" + userId.ToString("D");
}
