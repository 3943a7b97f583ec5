using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hoomi.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A man in the middle: an HTTP reverse proxy on its own loopback port in front of the real API, forwarding every
/// request and response as a stream, except the JSON answers a rule chooses to rewrite (e.g. a hoomi's member list).
/// Clients pointed at <see cref="Address"/> cannot tell it from the server.
/// </summary>
public sealed class RewritingProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Host", "Content-Length",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _upstream;

    private RewritingProxy(WebApplication app, HttpClient upstream, Uri address)
    {
        _app = app;
        _upstream = upstream;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Rewrites a JSON response body: given the request path and the body, returns the body to send (or the same).</summary>
    public Func<string, string, string>? Rewrite { get; set; }

    /// <summary>Paths (GET) whose JSON answers went through <see cref="Rewrite"/> and were changed.</summary>
    public List<string> Rewritten { get; } = [];

    public static async Task<RewritingProxy> StartAsync(Uri upstream)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = upstream, Timeout = Timeout.InfiniteTimeSpan };
        RewritingProxy? proxy = null;
        app.Run(context => proxy!.ForwardAsync(context));
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        proxy = new RewritingProxy(app, client, address);
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        using var outgoing = new HttpRequestMessage(new HttpMethod(request.Method), request.Path + request.QueryString);
        if (request.ContentLength > 0 || request.Headers.ContainsKey("Transfer-Encoding"))
        {
            outgoing.Content = new StreamContent(request.Body);
            if (request.ContentLength is { } length)
            {
                outgoing.Content.Headers.ContentLength = length;
            }
        }

        foreach (var (name, value) in request.Headers)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }

            if (!outgoing.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)value!) && outgoing.Content is not null)
            {
                outgoing.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)value!);
            }
        }

        using var response = await _upstream.SendAsync(outgoing, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(header.Key))
            {
                context.Response.Headers[header.Key] = header.Value.ToArray();
            }
        }

        var isJson = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true;
        if (Rewrite is { } rewrite && isJson && request.Method == "GET")
        {
            var body = await response.Content.ReadAsStringAsync(context.RequestAborted);
            var changed = rewrite(request.Path.Value ?? "", body);
            if (!ReferenceEquals(changed, body) && changed != body)
            {
                lock (Rewritten)
                {
                    Rewritten.Add(request.Path.Value ?? "");
                }
            }

            await context.Response.WriteAsync(changed, context.RequestAborted);
            return;
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
