using System.Net;
using System.Net.Http.Json;
using Hoomi.Api.Realtime;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Api.Tests.Realtime;
using Hoomi.Testing;

namespace Hoomi.Api.Tests.Accounts;

/// <summary>
/// With several instances (sharing PostgreSQL and Redis), failed logins count once for all of them: the counters live
/// in Redis, so a guesser does not get the limit once per instance.
/// </summary>
[NonParallelizable]
public sealed class SharedLoginThrottleTests
{
    private RedisServer _redis = null!;
    private RealtimeServer _a = null!;
    private RealtimeServer _b = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _redis = RedisServer.Start();
        var settings = new Dictionary<string, string?>
        {
            [RealtimeSetup.RedisConnectionKey] = _redis.ConnectionString,
            ["Hoomi:RateLimits:Enabled"] = "true",
            ["Hoomi:RateLimits:RequestsPerMinute"] = "100000",
            ["Hoomi:RateLimits:LoginFailuresPerAccountAndAddress"] = "3",
            ["Hoomi:RateLimits:LoginFailuresPerAddress"] = "100",
            ["Hoomi:RateLimits:LoginFailuresPerAccount"] = "100",
        };
        _a = RealtimeServer.Start(settings);
        _b = RealtimeServer.Start(settings, sameStorageAs: _a);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        _redis.Dispose();
    }

    private static Task<HttpResponseMessage> LoginAsync(RealtimeServer server, string email, string password) =>
        server.CreateHttpClient().PostAsJsonAsync("/auth/login", new { email, password });

    [Test]
    public async Task Failures_on_two_instances_add_up_to_one_limit()
    {
        var alice = await _a.RegisterAsync("alice");
        var email = alice.UserName;
        Assert.That((await LoginAsync(_a, email, "Wrong-passw0rd!1")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await LoginAsync(_a, email, "Wrong-passw0rd!2")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await LoginAsync(_b, email, "Wrong-passw0rd!3")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        // Three failures in all (two on A, one on B): both instances refuse the next try, even with the right password.
        var onA = await LoginAsync(_a, email, ApiClient.Password);
        var onB = await LoginAsync(_b, email, ApiClient.Password);
        Assert.Multiple(() =>
        {
            Assert.That(onA.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(onB.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(onB.Headers.RetryAfter, Is.Not.Null);
        });
    }
}
