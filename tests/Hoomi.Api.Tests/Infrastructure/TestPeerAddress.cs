using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Hoomi.Api.Tests.Infrastructure;

/// <summary>
/// TestServer has no socket: this sets the connection's peer address from the test-only header
/// <c>X-Test-Peer</c>, ahead of the service's own pipeline (so before its forwarded-headers handling).
/// </summary>
public static class TestPeerAddress
{
    public const string Header = "X-Test-Peer";

    public static void Register(IServiceCollection services) => services.AddTransient<IStartupFilter, Filter>();

    public static HttpRequestMessage From(this HttpRequestMessage request, string peer, string? forwardedFor = null)
    {
        request.Headers.Add(Header, peer);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return request;
    }

    private sealed class Filter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                if (context.Request.Headers.TryGetValue(Header, out var peer) && IPAddress.TryParse(peer.ToString(), out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return following(context);
            });
            next(app);
        };
    }
}
