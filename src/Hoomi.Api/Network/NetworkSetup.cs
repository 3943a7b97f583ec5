using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Hoomi.Api.Network;

/// <summary>Section <c>Hoomi:Network</c>: the reverse proxies whose forwarded headers are believed.</summary>
public sealed class NetworkOptions
{
    public const string Section = "Hoomi:Network";

    /// <summary>Addresses of trusted proxies (<c>10.0.0.5</c>, <c>::1</c>).</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation (<c>10.0.0.0/8</c>).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public bool TrustsAnyProxy => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}

/// <summary>
/// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are honoured only from the configured proxies; with none
/// configured they are ignored, and the client is the socket's peer address. The client address partitions the
/// anonymous rate limit and the login throttle, so a client that could name its own address could escape both.
/// </summary>
public static class NetworkSetup
{
    public static IServiceCollection AddHoomiNetwork(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NetworkOptions>().Bind(configuration.GetSection(NetworkOptions.Section))
            .Validate(o => o.KnownProxies.All(p => IPAddress.TryParse(p, out _)), "Hoomi:Network:KnownProxies must be IP addresses.")
            .Validate(o => o.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)), "Hoomi:Network:KnownNetworks must be networks in CIDR notation (10.0.0.0/8).")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<NetworkOptions>>((o, network) =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in network.Value.KnownProxies)
            {
                if (IPAddress.TryParse(proxy, out var address))
                {
                    o.KnownProxies.Add(address);
                }
            }

            foreach (var text in network.Value.KnownNetworks)
            {
                if (System.Net.IPNetwork.TryParse(text, out var net))
                {
                    o.KnownIPNetworks.Add(net);
                }
            }

            // Walk back through a chain of trusted proxies; the first untrusted hop is the client.
            o.ForwardLimit = null;
        });
        return services;
    }

    public static IApplicationBuilder UseHoomiForwardedHeaders(this IApplicationBuilder app)
    {
        var network = app.ApplicationServices.GetRequiredService<IOptions<NetworkOptions>>().Value;
        return network.TrustsAnyProxy ? app.UseForwardedHeaders() : app;
    }
}
