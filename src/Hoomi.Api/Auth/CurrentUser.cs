using System.Security.Claims;
using Hoomi.Application.Common.Interfaces;

namespace Hoomi.Api.Auth;

/// <summary>The caller, from the authenticated principal of the current HTTP request or hub connection.</summary>
public sealed class CurrentUser(IHttpContextAccessor accessor) : ICurrentUser
{
    /// <summary>Claim carrying Hoomi's own user id (a GUID), whichever system authenticated the caller.</summary>
    public const string UserIdClaim = "hoomi:user_id";

    public Guid Id => UserIdOf(Principal) ?? throw new UnauthorizedAccessException("The request is not authenticated.");

    public string UserName => Principal.FindFirstValue(ClaimTypes.Name) ?? "";

    private ClaimsPrincipal Principal => accessor.HttpContext?.User ?? new ClaimsPrincipal();

    public static Guid? UserIdOf(ClaimsPrincipal principal)
    {
        var value = principal.FindFirstValue(UserIdClaim);
        return Guid.TryParse(value, out var id) ? id : null;
    }
}
