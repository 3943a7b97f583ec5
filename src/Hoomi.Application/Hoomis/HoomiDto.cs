using Hoomi.Domain.Hoomis;

namespace Hoomi.Application.Hoomis;

/// <summary>A hoomi as its members see it: <see cref="Role"/> is the caller's own role; storage used and quota in bytes.</summary>
public sealed record HoomiDto(Guid Id, string Name, DateTimeOffset CreatedAt, MemberRole Role, int MemberCount, long UsedBytes, long QuotaBytes);
