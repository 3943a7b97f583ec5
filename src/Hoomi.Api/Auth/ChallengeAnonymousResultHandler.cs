using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Hoomi.Api.Auth;

/// <summary>
/// A caller left anonymous by <see cref="UserIdClaimsTransformation"/> (a revoked token) authenticated
/// "successfully" as far as the authorization middleware knows, which would answer 403; an anonymous caller is
/// challenged (401) instead, exactly as with no token.
/// </summary>
public sealed class ChallengeAnonymousResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated != true)
        {
            authorizeResult = PolicyAuthorizationResult.Challenge();
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
