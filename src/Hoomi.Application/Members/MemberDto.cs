using Hoomi.Application.Keys;
using Hoomi.Domain.Hoomis;

namespace Hoomi.Application.Members;

/// <summary>A member with the active device keys that uploads must wrap the file key for.</summary>
public sealed record MemberDto(Guid UserId, string UserName, MemberRole Role, DateTimeOffset JoinedAt, IReadOnlyList<MemberKeyDto> Keys);
