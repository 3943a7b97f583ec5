using Hoomi.Infrastructure.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Hoomi.Api.Auth;

/// <summary>
/// Identity's sign-in manager for the local <c>/auth/login</c>, with two changes: no account lock-out (a
/// <see cref="LoginThrottle"/> refuses logins per address and account instead, so nobody can lock another
/// person out), and an unknown user name costs the same password hashing as a wrong password, so neither the
/// answer (401 <c>Failed</c> for both) nor its timing tells which accounts exist.
/// </summary>
public sealed class HoomiSignInManager(
    UserManager<AppUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<AppUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<AppUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<AppUser> confirmation,
    IPasswordHasher<AppUser> hasher,
    LoginThrottle throttle)
    : SignInManager<AppUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    private static readonly AppUser DummyUser = new() { UserName = "dummy" };
    private static string? s_dummyHash;

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var account = UserManager.NormalizeName(userName) ?? "";
        var address = Context.Connection.RemoteIpAddress;
        await throttle.ThrowIfThrottledAsync(account, address).ConfigureAwait(false);

        var user = await UserManager.FindByNameAsync(userName).ConfigureAwait(false);
        SignInResult result;
        if (user is null)
        {
            // The same PBKDF2 work as checking a real account's password.
            s_dummyHash ??= hasher.HashPassword(DummyUser, Guid.NewGuid().ToString("N"));
            hasher.VerifyHashedPassword(DummyUser, s_dummyHash, password ?? "");
            result = SignInResult.Failed;
        }
        else
        {
            result = await PasswordSignInAsync(user, password ?? "", isPersistent, lockoutOnFailure: false).ConfigureAwait(false);
        }

        if (result.Succeeded || result.RequiresTwoFactor)
        {
            await throttle.SucceededAsync(account, address).ConfigureAwait(false);
        }
        else
        {
            await throttle.FailedAsync(account, address).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>No account is ever locked out (lock-outs recorded by earlier versions included).</summary>
    protected override Task<bool> IsLockedOut(AppUser user) => Task.FromResult(false);
}
