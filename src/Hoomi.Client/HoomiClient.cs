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

/// <summary>
/// The reference client of the Hoomi API: accounts, device keys, hoomis, members, and end-to-end encrypted media.
/// Plaintext and file keys never leave this process; uploads and downloads stream, so memory use does not grow
/// with the file. Tokens and the device key live in <see cref="Home"/>.
/// </summary>
public sealed partial class HoomiClient : IDisposable
{
    private const int MaxUploadAttempts = 4;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    // Range reads of one media item need its size and header every time; both are immutable, so fetch them once.
    private readonly ConcurrentDictionary<Guid, (MediaInfo Info, byte[] Header)> _rangeSources = new();
    private HoomiSession? _session;

    /// <param name="server">The API's base address.</param>
    /// <param name="home">Where the device key and tokens are kept.</param>
    /// <param name="handler">An HTTP handler to send through (tests count bytes with one); the caller keeps ownership.</param>
    public HoomiClient(Uri server, HoomiHome home, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(home);
        Server = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        Home = home;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = Server;
        // Large transfers take as long as they take; callers cancel with their token instead.
        _http.Timeout = Timeout.InfiniteTimeSpan;
        var saved = home.LoadSession();
        // Tokens are only ever sent to the server that issued them.
        _session = saved is not null && saved.Server == Server ? saved : null;
    }

    public Uri Server { get; }

    public HoomiHome Home { get; }

    public bool IsSignedIn => _session is not null;

    public HoomiSession? Session => _session;

    /// <summary>This device's key (created on first use); its <see cref="DeviceKeyPair.KeyId"/> is the fingerprint users compare.</summary>
    public DeviceKeyPair DeviceKey => Home.GetOrCreateDeviceKey();

    // Accounts, Hoomis, Members, Keys, Media, Trust and Events are each in a HoomiClient.<Concern>.cs file of their own.

    // ---- plumbing -------------------------------------------------------------------------------------------

    /// <summary>A hub connection that reconnects after network failures (by SignalR's default schedule, or <paramref name="retryPolicy"/>).</summary>
    private HubConnection BuildHubConnection(IRetryPolicy? retryPolicy)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(Server, "hubs/media"), o => o.AccessTokenProvider = async () =>
            {
                await EnsureFreshTokenAsync(CancellationToken.None).ConfigureAwait(false);
                return _session?.AccessToken;
            });
        return (retryPolicy is null ? builder.WithAutomaticReconnect() : builder.WithAutomaticReconnect(retryPolicy)).Build();
    }

    private async Task<T> GetJsonAsync<T>(string path, CancellationToken cancellationToken) =>
        await SendJsonAsync<T>(() => new HttpRequestMessage(HttpMethod.Get, path), true, cancellationToken).ConfigureAwait(false);

    private async Task<T> SendJsonAsync<T>(Func<HttpRequestMessage> create, bool authenticated, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(create, authenticated, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false)
            ?? throw new HoomiClientException($"The server answered {response.RequestMessage?.RequestUri} with an empty body.");
    }

    /// <summary>Sends with the bearer token, refreshing it first when it is about to expire and once more after a 401.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, bool authenticated, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        if (authenticated)
        {
            await EnsureFreshTokenAsync(cancellationToken).ConfigureAwait(false);
        }

        for (var attempt = 1; ; attempt++)
        {
            var token = _session?.AccessToken;
            HttpResponseMessage response;
            using (var request = create())
            {
                if (authenticated)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }

                response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                if (authenticated && attempt == 1 && response.StatusCode == HttpStatusCode.Unauthorized && _session is not null)
                {
                    if (_session.AccessToken == token)
                    {
                        await RefreshAsync(cancellationToken).ConfigureAwait(false);
                    }

                    continue;
                }

                throw await HoomiApiException.FromResponseAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task EnsureFreshTokenAsync(CancellationToken cancellationToken)
    {
        var session = _session ?? throw NotSignedIn();
        if (session.ExpiresAt - DateTimeOffset.UtcNow < RefreshMargin)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private HoomiClientException NotSignedIn() => new($"Not signed in to {Server}: log in first.");

    public void Dispose()
    {
        _http.Dispose();
        _refreshLock.Dispose();
    }
}
