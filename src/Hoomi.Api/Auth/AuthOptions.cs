using System.ComponentModel.DataAnnotations;

namespace Hoomi.Api.Auth;

public enum AuthMode
{
    /// <summary>Local accounts with ASP.NET Core Identity's endpoints under <c>/auth</c> (the embedded default).</summary>
    Local,

    /// <summary>JWT bearer tokens issued by the organisation's identity provider.</summary>
    Jwt,
}

/// <summary>Section <c>Hoomi:Auth</c>.</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Hoomi:Auth";

    public AuthMode Mode { get; set; } = AuthMode.Local;

    public JwtOptions Jwt { get; set; } = new();

    /// <summary>Lifetime of local access tokens; refresh tokens renew them.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mode != AuthMode.Jwt)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(Jwt.Audience))
        {
            yield return new ValidationResult("Hoomi:Auth:Jwt:Audience is required when Hoomi:Auth:Mode is Jwt.");
        }

        if (string.IsNullOrWhiteSpace(Jwt.Authority) && (string.IsNullOrWhiteSpace(Jwt.Issuer) || Jwt.SigningKeys.Count == 0))
        {
            yield return new ValidationResult(
                "Hoomi:Auth:Jwt needs either Authority (the identity provider's URL, keys from its metadata) or Issuer plus SigningKeys.");
        }
    }
}

public sealed class JwtOptions
{
    /// <summary>The identity provider's base URL; issuer and signing keys come from its OpenID metadata.</summary>
    public string? Authority { get; set; }

    /// <summary>Expected <c>iss</c>; required when no Authority is given.</summary>
    public string? Issuer { get; set; }

    [Required]
    public string? Audience { get; set; }

    /// <summary>Symmetric keys (base64) or PEM public keys (RSA/EC) that sign tokens, for providers without metadata.</summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>Claim holding the user name members are added by (falls back to email, then the subject).</summary>
    public string UserNameClaim { get; set; } = "preferred_username";

    public bool RequireHttpsMetadata { get; set; } = true;
}
