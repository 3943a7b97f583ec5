using Microsoft.AspNetCore.Identity;

namespace Hoomi.Infrastructure.Identity;

/// <summary>
/// An account. Local accounts (the embedded default) have a password hash managed by ASP.NET Core Identity;
/// accounts of the organisation's identity provider are provisioned on first sight and carry its subject.
/// </summary>
public sealed class AppUser : IdentityUser<Guid>
{
    /// <summary>The <c>sub</c> claim of the external identity provider, when the account came from there.</summary>
    public string? ExternalSubject { get; set; }
}
