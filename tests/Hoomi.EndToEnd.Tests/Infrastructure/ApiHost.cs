using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Hoomi.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The real API on a real loopback socket (the SDK's SignalR connection and the CLI need one), over a fresh
/// PostgreSQL database, storing blobs in a fresh folder the tests can inspect.
/// </summary>
public sealed class ApiHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    private ApiHost(Dictionary<string, string?> settings, string blobRoot)
    {
        _settings = settings;
        BlobRoot = blobRoot;
    }

    public string BlobRoot { get; }

    /// <summary>The API's database, for tests that play the compromised server and edit it.</summary>
    public string ConnectionString => _settings["Hoomi:Database:ConnectionString"]!;

    public Uri BaseAddress { get; private set; } = null!;

    public static ApiHost Start()
    {
        var blobRoot = Path.Combine(Path.GetTempPath(), "hoomi-e2e-blobs-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(blobRoot);
        var host = new ApiHost(new Dictionary<string, string?>
        {
            ["Hoomi:Database:Provider"] = "Postgres",
            ["Hoomi:Database:ConnectionString"] = TestServers.Postgres.CreateDatabase(),
            ["Hoomi:Storage:Provider"] = "FileSystem",
            ["Hoomi:Storage:FileSystem:Root"] = blobRoot,
            // The suite makes many requests quickly from one address; limits are tested in the API's own tests.
            ["Hoomi:RateLimits:Enabled"] = "false",
        }, blobRoot);
        host.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        host.StartServer();
        host.BaseAddress = new Uri(host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(BlobRoot))
        {
            Directory.Delete(BlobRoot, recursive: true);
        }
    }
}
