using System.Security.Claims;
using Hoomi.Infrastructure.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Hoomi.Api.Auth;

/// <summary>
/// Gives every authenticated principal Hoomi's own user id claim. Local accounts already carry their id;
/// a token from the organisation's identity provider is matched to an account by its subject, and the
/// account is created on first sight so that others can add the user to a hoomi. A local token whose
/// security stamp is no longer the account's (after logout or a password change) is revoked: the caller is
/// left anonymous, so requests and hub connections with it get 401.
/// </summary>
public sealed class UserIdClaimsTransformation(
    IOptions<AuthOptions> options,
    UserManager<AppUser> users,
    IOptions<IdentityOptions> identityOptions,
    IMemoryCache cache,
    TimeProvider clock) : IClaimsTransformation
{
    /// <summary>An anonymous principal: the request then fails authorization with 401, as with no token.</summary>
    private static ClaimsPrincipal Revoked => new(new ClaimsIdentity());

    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true || principal.HasClaim(c => c.Type == CurrentUser.UserIdClaim))
        {
            return principal;
        }

        Guid userId;
        string userName;
        if (options.Value.Mode == AuthMode.Local)
        {
            if (!Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out userId))
            {
                return principal;
            }

            // A local token carries the account's security stamp from when it was issued; logout and a password
            // change replace the stamp, which revokes every token issued before. One primary-key read per request.
            var stamp = principal.FindFirstValue(identityOptions.Value.ClaimsIdentity.SecurityStampClaimType);
            var current = await users.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.SecurityStamp)
                .FirstOrDefaultAsync().ConfigureAwait(false);
            if (stamp is null || current is null || !string.Equals(stamp, current, StringComparison.Ordinal))
            {
                return Revoked;
            }

            userName = principal.FindFirstValue(ClaimTypes.Name) ?? "";
        }
        else
        {
            var subject = principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? principal.FindFirstValue("sub");
            if (string.IsNullOrEmpty(subject))
            {
                return principal;
            }

            var name = principal.FindFirstValue(options.Value.Jwt.UserNameClaim)
                ?? principal.FindFirstValue(ClaimTypes.Email)
                ?? principal.FindFirstValue("email")
                ?? subject;
            (userId, userName) = await cache.GetOrCreateAsync("ext-user:" + subject, async entry =>
            {
                entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5);
                return await ProvisionAsync(subject, name).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }

        var identity = new ClaimsIdentity();
        identity.AddClaim(new Claim(CurrentUser.UserIdClaim, userId.ToString()));
        if (!principal.HasClaim(c => c.Type == ClaimTypes.Name))
        {
            identity.AddClaim(new Claim(ClaimTypes.Name, userName));
        }

        var copy = principal.Clone();
        copy.AddIdentity(identity);
        return copy;
    }

    private async Task<(Guid, string)> ProvisionAsync(string subject, string userName)
    {
        var existing = users.Users.FirstOrDefault(u => u.ExternalSubject == subject);
        if (existing is not null)
        {
            return (existing.Id, existing.UserName!);
        }

        var user = new AppUser
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            UserName = userName,
            ExternalSubject = subject,
        };
        var result = await users.CreateAsync(user).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            // A concurrent request provisioned the same subject first.
            existing = users.Users.FirstOrDefault(u => u.ExternalSubject == subject)
                ?? throw new InvalidOperationException("Could not provision the account: " + string.Join("; ", result.Errors.Select(e => e.Description)));
            return (existing.Id, existing.UserName!);
        }

        return (user.Id, userName);
    }
}
