using System.Net;
using System.Net.Http.Json;
using Hoomi.Api.Realtime;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hoomi.Api.Tests.Realtime;

/// <summary>
/// Logout and a password change close the user's open hub connections on every instance (two instances sharing
/// PostgreSQL and Redis, real SignalR clients), not only refuse new ones; other users' connections stay open.
/// </summary>
[NonParallelizable]
public sealed class SessionRevocationTests
{
    private RedisServer _redis = null!;
    private RealtimeServer _a = null!;
    private RealtimeServer _b = null!;
    private readonly List<EventInbox> _inboxes = [];

    [OneTimeSetUp]
    public void Start()
    {
        _redis = RedisServer.Start();
        var settings = new Dictionary<string, string?> { [RealtimeSetup.RedisConnectionKey] = _redis.ConnectionString };
        _a = RealtimeServer.Start(settings);
        _b = RealtimeServer.Start(settings, sameStorageAs: _a);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (var inbox in _inboxes)
        {
            await inbox.DisposeAsync();
        }

        await _b.DisposeAsync();
        await _a.DisposeAsync();
        _redis.Dispose();
    }

    private async Task<EventInbox> ConnectAsync(RealtimeServer server, ApiClient user)
    {
        var inbox = await server.ConnectAsync(user);
        _inboxes.Add(inbox);
        return inbox;
    }


    [Test]
    public async Task Logout_on_one_instance_closes_the_users_hub_connections_on_both()
    {
        var alice = await _a.RegisterAsync("alice");
        var bob = await _a.RegisterAsync("bob");
        var onA = await ConnectAsync(_a, alice);
        var onB = await ConnectAsync(_b, alice);
        var bobOnB = await ConnectAsync(_b, bob);
        var closedA = onA.ClosedAsync();
        var closedB = onB.ClosedAsync();

        Assert.That((await alice.Http.PostAsync("/me/logout", null)).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        await Task.WhenAll(closedA, closedB).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(onA.Connection.State, Is.EqualTo(HubConnectionState.Disconnected));
            Assert.That(onB.Connection.State, Is.EqualTo(HubConnectionState.Disconnected));
            Assert.That(bobOnB.Connection.State, Is.EqualTo(HubConnectionState.Connected), "another user's connection stays");
        });
    }

    [Test]
    public async Task A_password_change_on_one_instance_closes_the_users_hub_connections_on_both()
    {
        var alice = await _b.RegisterAsync("alice");
        var onA = await ConnectAsync(_a, alice);
        var onB = await ConnectAsync(_b, alice);
        var closedA = onA.ClosedAsync();
        var closedB = onB.ClosedAsync();

        var change = await alice.Http.PostAsJsonAsync("/auth/manage/info", new { oldPassword = ApiClient.Password, newPassword = "N3w-passw0rd!!" });
        Assert.That(change.StatusCode, Is.EqualTo(HttpStatusCode.OK), await change.Content.ReadAsStringAsync());

        await Task.WhenAll(closedA, closedB).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(onA.Connection.State, Is.EqualTo(HubConnectionState.Disconnected));
            Assert.That(onB.Connection.State, Is.EqualTo(HubConnectionState.Disconnected));
        });
    }
}
