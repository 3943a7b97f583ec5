using System.Net;
using System.Net.Http.Headers;
using Hoomi.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hoomi.Api.Tests.Realtime;

/// <summary>
/// The API on a real Kestrel socket (WebSockets need one; TestServer would not show the real transport),
/// over its own PostgreSQL database, or over another instance's database and blob root to play a second
/// instance behind a load balancer.
/// </summary>
public sealed class RealtimeServer : IAsyncDisposable
{
    private readonly HoomiApiFactory _root;
    private readonly WebApplicationFactory<Program> _factory;

    private RealtimeServer(HoomiApiFactory root, WebApplicationFactory<Program> factory, Uri baseAddress)
    {
        _root = root;
        _factory = factory;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public HoomiApiFactory Root => _root;

    public IServiceProvider Services => _factory.Services;

    public static RealtimeServer Start(
        IDictionary<string, string?>? settings = null, RealtimeServer? sameStorageAs = null, ILoggerProvider? logs = null, Action<IServiceCollection>? testServices = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        if (sameStorageAs is not null)
        {
            all["Hoomi:Database:ConnectionString"] = sameStorageAs.Root.ConnectionString;
            all["Hoomi:Storage:FileSystem:Root"] = sameStorageAs.Root.BlobRoot;
        }

        var root = HoomiApiFactory.OnPostgres(all, testServices);
        WebApplicationFactory<Program> factory = logs is null
            ? root
            : root.WithWebHostBuilder(b => b.ConfigureLogging(l =>
            {
                // As an operator chasing a problem would: the framework's logs turned up to Debug (this rule comes
                // after appsettings.json's Warning for Microsoft.AspNetCore, so it wins over it).
                l.AddProvider(logs);
                l.SetMinimumLevel(LogLevel.Debug);
                l.AddFilter("Microsoft", LogLevel.Debug);
                l.AddFilter("Microsoft.AspNetCore", LogLevel.Debug);
            }));
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RealtimeServer(root, factory, new Uri(address));
    }

    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress };

    public Task<ApiClient> RegisterAsync(string name) => ApiClient.RegisterAsync(CreateHttpClient(), name);

    /// <summary>A hub connection over WebSockets only, authenticated as <paramref name="user"/> (or anonymous), not yet started.</summary>
    /// <remarks>
    /// The .NET client sends the token in the Authorization header; <paramref name="tokenInQuery"/> puts it in
    /// the <c>access_token</c> query parameter instead, as browsers must (their WebSockets cannot send headers).
    /// </remarks>
    public HubConnection Hub(ApiClient? user, string? token = null, bool tokenInQuery = false)
    {
        token ??= user?.Http.DefaultRequestHeaders.Authorization?.Parameter;
        var url = new Uri(BaseAddress, "/hubs/media" + (tokenInQuery && token is not null ? "?access_token=" + Uri.EscapeDataString(token) : ""));
        return new HubConnectionBuilder()
            .WithUrl(url, HttpTransportType.WebSockets, o =>
            {
                if (token is not null && !tokenInQuery)
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }
            })
            .Build();
    }

    /// <summary>Connects <paramref name="user"/>, waits until the server has put it in its groups, and starts recording what it receives.</summary>
    public async Task<EventInbox> ConnectAsync(ApiClient user, bool tokenInQuery = false)
    {
        var connection = Hub(user, tokenInQuery: tokenInQuery);
        var inbox = new EventInbox(connection);
        await connection.StartAsync();
        await connection.InvokeAsync("Joined");
        return inbox;
    }

    public async ValueTask DisposeAsync()
    {
        if (!ReferenceEquals(_factory, _root))
        {
            await _factory.DisposeAsync();
        }

        await _root.DisposeAsync();
    }
}

public static class ApiClientRealtimeExtensions
{
    public static string Token(this ApiClient user) => user.Http.DefaultRequestHeaders.Authorization!.Parameter!;

    public static async Task RemoveMemberAsync(this ApiClient owner, Guid hoomiId, ApiClient member)
    {
        var response = await owner.Http.DeleteAsync($"/hoomis/{hoomiId}/members/{member.UserId}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await response.Content.ReadAsStringAsync());
    }

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
