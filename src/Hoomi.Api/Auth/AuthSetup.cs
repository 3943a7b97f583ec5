using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Infrastructure.Identity;
using Hoomi.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;

namespace Hoomi.Api.Auth;

public static partial class AuthSetup
{
    /// <summary>Path prefix of the SignalR hubs: browsers' WebSockets cannot send headers, so the token comes in the query.</summary>
    public const string HubsPath = "/hubs";

    public static IServiceCollection AddHoomiAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();

        services.AddHttpContextAccessor();
        services.AddMemoryCache();
        services.AddScoped<ICurrentUser, CurrentUser>();
        services.AddScoped<IClaimsTransformation, UserIdClaimsTransformation>();

        if (options.Mode == AuthMode.Local)
        {
            // Local tokens are protected by the data-protection key ring: instances behind one load balancer
            // must share it (Hoomi:DataProtection:KeysDirectory on a shared volume), or each rejects the others' tokens.
            ConfigureDataProtection(services, configuration);

            services.AddIdentityApiEndpoints<AppUser>(o =>
                {
                    o.User.RequireUniqueEmail = true;
                    o.Password.RequiredLength = 8;
                    // No lock-out: LoginThrottle refuses logins per address and account instead (HoomiSignInManager).
                    o.Lockout.AllowedForNewUsers = false;
                })
                .AddEntityFrameworkStores<HoomiDbContext>()
                .AddSignInManager<HoomiSignInManager>();
            services.Configure<BearerTokenOptions>(IdentityConstants.BearerScheme, o =>
            {
                o.BearerTokenExpiration = options.AccessTokenLifetime;
                o.Events.OnMessageReceived = ReadHubTokenFromQuery;
            });
        }
        else
        {
            services.AddIdentityCore<AppUser>().AddEntityFrameworkStores<HoomiDbContext>();
            services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
                .AddJwtBearer(o =>
                {
                    var jwt = options.Jwt;
                    o.Authority = jwt.Authority;
                    o.Audience = jwt.Audience;
                    o.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
                    o.TokenValidationParameters = new TokenValidationParameters
                    {
                        ValidateIssuer = true,
                        ValidIssuer = jwt.Issuer,
                        ValidateAudience = true,
                        ValidAudience = jwt.Audience,
                        ValidateLifetime = true,
                        ClockSkew = TimeSpan.FromSeconds(30),
                    };
                    if (jwt.SigningKeys.Count > 0)
                    {
                        o.TokenValidationParameters.IssuerSigningKeys = jwt.SigningKeys.Select(ParseSigningKey).ToList();
                    }

                    o.Events = new JwtBearerEvents { OnMessageReceived = ReadHubTokenFromQuery };
                });
        }

        services.AddAuthorization();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ChallengeAnonymousResultHandler>();
        return services;
    }

    /// <summary>
    /// The key ring that protects local tokens: in <c>Hoomi:DataProtection:KeysDirectory</c> when set (else the user
    /// profile's), and encrypted at rest with the certificate <c>Hoomi:DataProtection:CertificatePath</c> when set;
    /// <c>PreviousCertificatePaths</c> still decrypt keys written under certificates since replaced.
    /// </summary>
    private static void ConfigureDataProtection(IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Hoomi:DataProtection");
        var dataProtection = services.AddDataProtection().SetApplicationName("hoomi");
        var keysDirectory = section["KeysDirectory"];
        var certificatePath = section["CertificatePath"];
        if (!string.IsNullOrWhiteSpace(keysDirectory))
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keysDirectory));
        }

        if (string.IsNullOrWhiteSpace(certificatePath))
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(keysDirectory))
        {
            throw new InvalidOperationException(
                "Hoomi:DataProtection:CertificatePath needs Hoomi:DataProtection:KeysDirectory: the folder the encrypted keys are kept in.");
        }

        var password = section["CertificatePassword"];
        var certificate = LoadCertificate(certificatePath, password, "Hoomi:DataProtection:CertificatePath");
        dataProtection.ProtectKeysWithCertificate(certificate);
        var previous = section.GetSection("PreviousCertificatePaths").Get<List<string>>() ?? [];
        if (previous.Count > 0)
        {
            dataProtection.UnprotectKeysWithAnyCertificate(
                [certificate, .. previous.Select((path, i) => LoadCertificate(path, password, $"Hoomi:DataProtection:PreviousCertificatePaths:{i}"))]);
        }
    }

    private static X509Certificate2 LoadCertificate(string path, string? password, string setting)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{setting}: cannot load the PKCS#12 certificate '{path}' (with Hoomi:DataProtection:CertificatePassword): {e.Message}", e);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"{setting}: the certificate '{path}' has no private key, so it could not decrypt the keys.");
        }

        return certificate;
    }

    private static Task ReadHubTokenFromQuery(Microsoft.AspNetCore.Authentication.JwtBearer.MessageReceivedContext context) => ReadHubToken(context.HttpContext, t => context.Token = t);

    private static Task ReadHubTokenFromQuery(Microsoft.AspNetCore.Authentication.BearerToken.MessageReceivedContext context) =>
        ReadHubToken(context.HttpContext, t => context.Token = t);

    private static Task ReadHubToken(HttpContext http, Action<string> set)
    {
        if (http.Request.Path.StartsWithSegments(HubsPath) && http.Request.Query.TryGetValue("access_token", out var token)
            && !string.IsNullOrEmpty(token))
        {
            set(token!);
        }

        return Task.CompletedTask;
    }

    private static SecurityKey ParseSigningKey(string text)
    {
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            try
            {
                var rsa = RSA.Create();
                rsa.ImportFromPem(text);
                return new RsaSecurityKey(rsa);
            }
            catch (ArgumentException)
            {
                var ec = ECDsa.Create();
                ec.ImportFromPem(text);
                return new ECDsaSecurityKey(ec);
            }
        }

        return new SymmetricSecurityKey(Convert.FromBase64String(text));
    }

    /// <summary>Replaces the account's security stamp: tokens carry the stamp they were issued with, and a token with an old one is refused.</summary>
    private static async Task<Microsoft.AspNetCore.Http.HttpResults.NoContent> LogoutAsync(
        ICurrentUser me, UserManager<AppUser> users, Hoomi.Api.Realtime.IMembershipFanout fanout, ILoggerFactory loggers)
    {
        var user = await users.FindByIdAsync(me.Id.ToString()).ConfigureAwait(false)
            ?? throw new UnauthorizedAccessException("The account no longer exists.");
        var result = await users.UpdateSecurityStampAsync(user).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Could not revoke the tokens: " + string.Join("; ", result.Errors.Select(e => e.Code)));
        }

        await CloseHubConnectionsAsync(user.Id, fanout, loggers).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Closes the user's open hub connections on every instance once their tokens are revoked: a connection
    /// authenticated once would otherwise keep listening until its token expired. When the other instances cannot
    /// be told (Redis down), this instance's are closed and the others' end at their token's expiry.
    /// </summary>
    private static async Task CloseHubConnectionsAsync(Guid userId, Hoomi.Api.Realtime.IMembershipFanout fanout, ILoggerFactory loggers)
    {
        try
        {
            await fanout.ApplyEverywhereAsync(new Hoomi.Api.Realtime.MembershipChange(Hoomi.Api.Realtime.MembershipAction.CloseAll, Guid.Empty, userId), CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogCloseFailed(loggers.CreateLogger("Hoomi.Api.Auth.TokenRevocation"), ex);
        }
    }

    [LoggerMessage(LogLevel.Error, "Could not close a revoked user's hub connections on every instance; the others end at their token's expiry")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception);

    /// <summary>After a successful password change (<c>/auth/manage/info</c> with a new password) or reset, the user's hub connections are closed.</summary>
    private static async ValueTask<object?> CloseHubOnPasswordChangeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context).ConfigureAwait(false);
        var inner = result is Microsoft.AspNetCore.Http.INestedHttpResult nested ? nested.Result : result;
        if (inner is not Microsoft.AspNetCore.Http.IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK })
        {
            return result;
        }

        var services = context.HttpContext.RequestServices;
        Guid? userId = null;
        if (context.Arguments.OfType<Microsoft.AspNetCore.Identity.Data.InfoRequest>().FirstOrDefault() is { NewPassword: not null })
        {
            userId = services.GetRequiredService<ICurrentUser>().Id;
        }
        else if (context.Arguments.OfType<Microsoft.AspNetCore.Identity.Data.ResetPasswordRequest>().FirstOrDefault() is { } reset)
        {
            userId = (await services.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(reset.Email).ConfigureAwait(false))?.Id;
        }

        if (userId is { } id)
        {
            await CloseHubConnectionsAsync(id, services.GetRequiredService<Hoomi.Api.Realtime.IMembershipFanout>(), services.GetRequiredService<ILoggerFactory>())
                .ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>Maps the local account endpoints (register, login, refresh, ...) under <c>/auth</c> when local accounts are on.</summary>
    public static IEndpointRouteBuilder MapHoomiAuth(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value;
        if (options.Mode == AuthMode.Local)
        {
            app.MapGroup("/auth").WithTags("Accounts").AddEndpointFilter(CloseHubOnPasswordChangeAsync).MapIdentityApi<AppUser>();
            app.MapPost("/me/logout", LogoutAsync).RequireAuthorization().WithTags("Accounts").WithName("Logout")
                .WithSummary("Revoke every access and refresh token of the caller's account (all devices); log in again for new ones.");
        }

        return app;
    }
}
