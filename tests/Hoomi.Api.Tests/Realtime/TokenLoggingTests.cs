using Hoomi.Api.Tests.Infrastructure;

namespace Hoomi.Api.Tests.Realtime;

/// <summary>
/// The hub's bearer token travels in the query string (browsers' WebSockets cannot send headers), so it
/// must never reach the logs, even with the framework's logging turned up as an operator debugging a
/// problem would (the framework at Debug, which includes the hosting's Information "Request starting" line
/// with the full URL). The connection sends its token in the query, as a browser does.
/// </summary>
[TestFixture]
public sealed class TokenLoggingTests
{
    [Test]
    public async Task The_access_token_of_a_hub_connection_never_appears_in_the_logs()
    {
        var logs = new CapturingLoggerProvider();
        await using var server = RealtimeServer.Start(logs: logs);
        var alice = await RealtimeUser.CreateAsync(server.RegisterAsync, "alice");
        var bob = await RealtimeUser.CreateAsync(server.RegisterAsync, "bob");
        var hoomi = await alice.Api.CreateHoomiAsync();

        await using (var inbox = await server.ConnectAsync(bob.Api, tokenInQuery: true))
        {
            await alice.Api.AddMemberAsync(hoomi, bob.Api);
            await inbox.WaitForAsync("MemberAdded", hoomi);
        }

        await using (var refused = server.Hub(null, token: bob.Api.Token() + "x", tokenInQuery: true))
        {
            Assert.ThrowsAsync<HttpRequestException>(() => refused.StartAsync());
        }

        var token = bob.Api.Token();
        var lines = logs.Lines;
        Assert.Multiple(() =>
        {
            Assert.That(lines.Where(l => l.Contains("/hubs/media", StringComparison.Ordinal)), Is.Not.Empty,
                "the capture sees the hub's requests, so an absent token is not an absent log");
            Assert.That(lines.Where(l => l.Contains(token[..40], StringComparison.Ordinal)), Is.Empty);
            Assert.That(lines.Where(l => l.Contains(Uri.EscapeDataString(token)[..40], StringComparison.Ordinal)), Is.Empty);
            Assert.That(lines.Where(l => l.Contains("access_token", StringComparison.Ordinal)), Is.Empty);
        });
    }
}
