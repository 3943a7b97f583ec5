using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hoomi.Client.Api;
using Hoomi.Client.Crypto;
using Hoomi.Client.Storage;
using Hoomi.Client.Transfer;
using Hoomi.Client.Trust;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hoomi.Client;

// Accounts: register, log in and out, token refresh, who am I.
public sealed partial class HoomiClient
{
    public async Task RegisterAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, "auth/register") { Content = JsonContent.Create(new { email, password }, options: Json) },
            authenticated: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Signs in and keeps the tokens in <see cref="Home"/>.</summary>
    public async Task<UserInfo> LoginAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        var tokens = await SendJsonAsync<TokenResponse>(
            () => new HttpRequestMessage(HttpMethod.Post, "auth/login") { Content = JsonContent.Create(new { email, password }, options: Json) },
            authenticated: false, cancellationToken).ConfigureAwait(false);
        _session = new HoomiSession
        {
            Server = Server,
            UserName = email,
            AccessToken = tokens.AccessToken,
            RefreshToken = tokens.RefreshToken,
            ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(tokens.ExpiresIn),
        };
        var me = await GetMeAsync(cancellationToken).ConfigureAwait(false);
        _session = _session with { UserId = me.UserId, UserName = me.UserName };
        Home.SaveSession(_session);
        return me;
    }

    /// <summary>Forgets the tokens on this device only; they stay valid on the server until they expire (see <see cref="LogoutAsync"/>).</summary>
    public void Logout()
    {
        _session = null;
        Home.ClearSession();
    }

    /// <summary>
    /// Revokes every token of the account on the server (<c>POST /me/logout</c>: all its devices are signed out),
    /// then forgets them here. A session the server no longer accepts (already revoked, 401) or a server without
    /// local accounts (404) is only forgotten. Returns whether the server revoked anything.
    /// </summary>
    public async Task<bool> LogoutAsync(CancellationToken cancellationToken = default)
    {
        if (_session is null)
        {
            return false;
        }

        try
        {
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "me/logout"), true, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HoomiApiException e) when (e.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound)
        {
            return false;
        }
        finally
        {
            Logout();
        }
    }

    /// <summary>Exchanges the refresh token for new tokens (done automatically shortly before expiry and after a 401).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        var current = _session ?? throw NotSignedIn();
        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!ReferenceEquals(current, _session))
            {
                return; // another caller refreshed while this one waited
            }

            var tokens = await SendJsonAsync<TokenResponse>(
                () => new HttpRequestMessage(HttpMethod.Post, "auth/refresh") { Content = JsonContent.Create(new { refreshToken = current.RefreshToken }, options: Json) },
                authenticated: false, cancellationToken).ConfigureAwait(false);
            _session = current with
            {
                AccessToken = tokens.AccessToken,
                RefreshToken = tokens.RefreshToken,
                ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(tokens.ExpiresIn),
            };
            Home.SaveSession(_session);
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    public Task<UserInfo> GetMeAsync(CancellationToken cancellationToken = default) => GetJsonAsync<UserInfo>("me", cancellationToken);
}
