using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;

namespace Hoomi.Api.Tests.Accounts;

/// <summary>
/// Login throttling instead of lock-out, the same answer for unknown accounts and wrong passwords, and
/// forwarded headers believed only from configured proxies. Client addresses come through a trusted proxy
/// (peer 10.0.0.1, <c>X-Forwarded-For</c>), as behind a load balancer.
/// </summary>
public sealed class LoginThrottleTests
{
    private const string Proxy = "10.0.0.1";

    private HoomiApiFactory _factory = null!;

    [OneTimeSetUp]
    public void StartApi() => _factory = HoomiApiFactory.OnPostgres(
        new Dictionary<string, string?>
        {
            ["Hoomi:Network:KnownProxies:0"] = Proxy,
            ["Hoomi:RateLimits:LoginFailuresPerAccountAndAddress"] = "3",
            ["Hoomi:RateLimits:LoginFailuresPerAddress"] = "6",
            ["Hoomi:RateLimits:LoginFailuresPerAccount"] = "5",
        },
        TestPeerAddress.Register);

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    private static string NewEmail() => "user-" + Guid.NewGuid().ToString("N")[..10] + "@example.com";

    private static string NewClient() => string.Create(CultureInfo.InvariantCulture, $"203.0.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}");

    private async Task<string> RegisterAsync()
    {
        var email = NewEmail();
        var response = await _factory.CreateClient().PostAsJsonAsync("/auth/register", new { email, password = ApiClient.Password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return email;
    }

    private async Task<HttpResponseMessage> LoginAsync(string email, string password, string client, string peer = Proxy)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/login") { Content = JsonContent.Create(new { email, password }) }
            .From(peer, forwardedFor: client);
        return await _factory.CreateClient().SendAsync(request);
    }

    private static async Task AssertThrottledAsync(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), await response.Content.ReadAsStringAsync());
        Assert.That(int.Parse(response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), Is.InRange(1, 15 * 60));
        var problem = await ApiClient.ProblemOf(response);
        Assert.That(problem["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:rate-limited"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("accessToken"));
    }

    [Test]
    public async Task Wrong_passwords_throttle_that_account_from_that_address_only_and_never_lock_it()
    {
        var email = await RegisterAsync();
        var attacker = NewClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.That((await LoginAsync(email, "Wr0ng-password!", attacker)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        await AssertThrottledAsync(await LoginAsync(email, ApiClient.Password, attacker));

        var owner = await LoginAsync(email, ApiClient.Password, NewClient());
        Assert.That(owner.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the owner, elsewhere, is not locked out: " + await owner.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Failures_spread_over_many_addresses_throttle_the_account()
    {
        var email = await RegisterAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.That((await LoginAsync(email, "Wr0ng-password!", NewClient())).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        await AssertThrottledAsync(await LoginAsync(email, ApiClient.Password, NewClient()));
    }

    [Test]
    public async Task One_address_guessing_many_accounts_is_throttled_and_other_addresses_are_not()
    {
        var email = await RegisterAsync();
        var guesser = NewClient();
        for (var i = 0; i < 6; i++)
        {
            Assert.That((await LoginAsync(NewEmail(), ApiClient.Password, guesser)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        await AssertThrottledAsync(await LoginAsync(email, ApiClient.Password, guesser));
        Assert.That((await LoginAsync(email, ApiClient.Password, NewClient())).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_unknown_account_and_a_wrong_password_get_the_same_status_and_body()
    {
        var email = await RegisterAsync();
        var wrongPassword = await LoginAsync(email, "Wr0ng-password!", NewClient());
        var unknown = await LoginAsync(NewEmail(), "Wr0ng-password!", NewClient());

        Assert.That(unknown.StatusCode, Is.EqualTo(wrongPassword.StatusCode));
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(unknown.Content.Headers.ContentType?.ToString(), Is.EqualTo(wrongPassword.Content.Headers.ContentType?.ToString()));
        Assert.That(WithoutTraceId(await ApiClient.ProblemOf(unknown)), Is.EqualTo(WithoutTraceId(await ApiClient.ProblemOf(wrongPassword))));
    }

    private static string WithoutTraceId(JsonObject problem)
    {
        problem.Remove("traceId");
        return problem.ToJsonString();
    }

    private static async Task<bool> AnyLimitedAsync(HoomiApiFactory factory, string peer, bool distinctForwardedFor)
    {
        var http = factory.CreateClient();
        for (var i = 0; i < 100; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/refresh") { Content = JsonContent.Create(new { refreshToken = "nonsense" }) }
                .From(peer, forwardedFor: distinctForwardedFor ? string.Create(CultureInfo.InvariantCulture, $"198.51.100.{i + 1}") : null);
            if ((await http.SendAsync(request)).StatusCode == HttpStatusCode.TooManyRequests)
            {
                return true;
            }
        }

        return false;
    }

    [Test]
    public async Task Forwarded_for_is_ignored_unless_the_peer_is_a_configured_proxy()
    {
        var limits = new Dictionary<string, string?> { ["Hoomi:RateLimits:RequestsPerMinute"] = "60" };
        using (var noProxies = HoomiApiFactory.OnPostgres(limits, TestPeerAddress.Register))
        {
            Assert.That(await AnyLimitedAsync(noProxies, Proxy, distinctForwardedFor: true), Is.True,
                "without configured proxies every request counts for the socket address, whatever X-Forwarded-For says");
        }

        limits["Hoomi:Network:KnownNetworks:0"] = "10.0.0.0/24";
        using var trusted = HoomiApiFactory.OnPostgres(limits, TestPeerAddress.Register);
        Assert.That(await AnyLimitedAsync(trusted, Proxy, distinctForwardedFor: true), Is.False,
            "through a configured proxy each forwarded client has its own bucket");
        Assert.That(await AnyLimitedAsync(trusted, "192.0.2.7", distinctForwardedFor: true), Is.True,
            "X-Forwarded-For from a peer that is not a configured proxy is ignored");
    }
}
