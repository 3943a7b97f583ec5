using Microsoft.AspNetCore.SignalR.Client;

namespace Hoomi.Api.Tests.Realtime;

/// <summary>A hub connection does not outlive the access token it was opened with.</summary>
[TestFixture]
public sealed class TokenExpiryTests
{
    [Test]
    public async Task The_hub_closes_a_connection_when_its_access_token_expires()
    {
        await using var server = RealtimeServer.Start(new Dictionary<string, string?> { ["Hoomi:Auth:AccessTokenLifetime"] = "00:00:08" });
        var user = await server.RegisterAsync("expiring");
        await using var inbox = await server.ConnectAsync(user);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        inbox.Connection.Closed += e =>
        {
            closed.TrySetResult(e);
            return Task.CompletedTask;
        };
        Assert.That(inbox.Connection.State, Is.EqualTo(HubConnectionState.Connected));

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(90));

        Assert.That(inbox.Connection.State, Is.EqualTo(HubConnectionState.Disconnected));
        await using var again = server.Hub(user);
        Assert.That(async () => await again.StartAsync(), Throws.InstanceOf<HttpRequestException>(), "the same token no longer opens one");
    }
}
