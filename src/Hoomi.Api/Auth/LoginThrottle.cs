using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Hoomi.Api.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hoomi.Api.Auth;

/// <summary>Thrown when a login is refused before its password is checked, because too many recent ones failed.</summary>
public sealed class LoginThrottledException(TimeSpan retryAfter) : Exception("Too many failed logins; retry later.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// Counts failed logins in fixed windows per client address, per account and per (account, address), instead
/// of locking accounts out (which would let anyone lock anyone out). A login is refused (429) while any of its
/// three counters is at its limit, before its password is checked: the per-(account, address) limit stops one
/// client guessing one password, the per-address limit one client guessing many accounts, and the higher
/// per-account limit a guess spread over many addresses, while other addresses can still log in to the account.
/// The counters live in Redis when <c>Hoomi:Redis:Connection</c> is set, shared by every instance (several instances
/// need Redis anyway, for the hub's backplane; the database would add a write per failed login to the primary), and in
/// this instance's memory otherwise, or while Redis cannot be reached. Redis keys are SHA-256 hashes (no user names).
/// </summary>
public sealed partial class LoginThrottle(IOptions<RateLimitOptions> options, TimeProvider clock, IConfiguration configuration, ILogger<LoginThrottle> logger) : IDisposable
{
    private const string IncrementScript = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";
    private readonly MemoryCache _windows = new(new MemoryCacheOptions { SizeLimit = 200_000 });
    private readonly Lazy<ConnectionMultiplexer?> _redis = new(() => Connect(configuration[Hoomi.Api.Realtime.RealtimeSetup.RedisConnectionKey]));

    private static ConnectionMultiplexer? Connect(string? connection)
    {
        if (string.IsNullOrWhiteSpace(connection))
        {
            return null;
        }

        var redisOptions = ConfigurationOptions.Parse(connection);
        redisOptions.AbortOnConnectFail = false;
        return ConnectionMultiplexer.Connect(redisOptions);
    }

    private static RedisKey RedisKeyOf(string key) =>
        "hoomi:login:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Throws <see cref="LoginThrottledException"/> while the login may not be tried (shared counters when Redis is configured).</summary>
    public async Task ThrowIfThrottledAsync(string normalizedAccount, IPAddress? address)
    {
        var limits = options.Value;
        if (!limits.Enabled)
        {
            return;
        }

        if (_redis.Value is not { } redis)
        {
            ThrowIfThrottled(normalizedAccount, address);
            return;
        }

        try
        {
            var db = redis.GetDatabase();
            TimeSpan? wait = null;
            foreach (var (key, limit) in Keys(normalizedAccount, address, limits))
            {
                var k = RedisKeyOf(key);
                var count = await db.StringGetAsync(k).ConfigureAwait(false);
                if (count.HasValue && (long)count >= limit)
                {
                    var left = await db.KeyTimeToLiveAsync(k).ConfigureAwait(false) ?? limits.LoginWindow;
                    wait = wait is null || left > wait ? left : wait;
                }
            }

            if (wait is not null)
            {
                throw new LoginThrottledException(wait.Value);
            }
        }
        catch (RedisException ex)
        {
            LogRedisUnavailable(logger, ex);
            ThrowIfThrottled(normalizedAccount, address);
        }
    }

    public async Task FailedAsync(string normalizedAccount, IPAddress? address)
    {
        var limits = options.Value;
        if (!limits.Enabled)
        {
            return;
        }

        if (_redis.Value is not { } redis)
        {
            Failed(normalizedAccount, address);
            return;
        }

        try
        {
            var db = redis.GetDatabase();
            var windowMs = ((long)limits.LoginWindow.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            foreach (var (key, _) in Keys(normalizedAccount, address, limits))
            {
                await db.ScriptEvaluateAsync(IncrementScript, [RedisKeyOf(key)], [windowMs]).ConfigureAwait(false);
            }
        }
        catch (RedisException ex)
        {
            LogRedisUnavailable(logger, ex);
            Failed(normalizedAccount, address);
        }
    }

    public async Task SucceededAsync(string normalizedAccount, IPAddress? address)
    {
        Succeeded(normalizedAccount, address);
        if (options.Value.Enabled && _redis.Value is { } redis)
        {
            try
            {
                await redis.GetDatabase().KeyDeleteAsync(RedisKeyOf(PairKey(normalizedAccount, address))).ConfigureAwait(false);
            }
            catch (RedisException ex)
            {
                LogRedisUnavailable(logger, ex);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Redis is unreachable; login throttling counts in this instance's memory meanwhile")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception exception);

    private sealed class Window(DateTimeOffset resetAt)
    {
        public DateTimeOffset ResetAt { get; } = resetAt;

        public int Failures;
    }

    /// <summary>Throws <see cref="LoginThrottledException"/> while the login may not be tried.</summary>
    private void ThrowIfThrottled(string normalizedAccount, IPAddress? address)
    {
        var limits = options.Value;
        if (!limits.Enabled)
        {
            return;
        }

        var now = clock.GetUtcNow();
        TimeSpan? wait = null;
        foreach (var (key, limit) in Keys(normalizedAccount, address, limits))
        {
            if (_windows.TryGetValue(key, out Window? window) && window!.ResetAt > now && Volatile.Read(ref window.Failures) >= limit)
            {
                var left = window.ResetAt - now;
                wait = wait is null || left > wait ? left : wait;
            }
        }

        if (wait is not null)
        {
            throw new LoginThrottledException(wait.Value);
        }
    }

    private void Failed(string normalizedAccount, IPAddress? address)
    {
        var limits = options.Value;
        if (!limits.Enabled)
        {
            return;
        }

        var now = clock.GetUtcNow();
        foreach (var (key, _) in Keys(normalizedAccount, address, limits))
        {
            if (!_windows.TryGetValue(key, out Window? window) || window!.ResetAt <= now)
            {
                window = new Window(now + limits.LoginWindow);
                _windows.Set(key, window, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = window.ResetAt });
            }

            Interlocked.Increment(ref window.Failures);
        }
    }

    /// <summary>A successful login clears its (account, address) counter; the others keep counting.</summary>
    private void Succeeded(string normalizedAccount, IPAddress? address) => _windows.Remove(PairKey(normalizedAccount, address));

    private static IEnumerable<(string Key, int Limit)> Keys(string account, IPAddress? address, RateLimitOptions limits)
    {
        yield return (PairKey(account, address), limits.LoginFailuresPerAccountAndAddress);
        yield return ("addr:" + AddressKey(address), limits.LoginFailuresPerAddress);
        yield return ("acct:" + Account(account), limits.LoginFailuresPerAccount);
    }

    private static string PairKey(string account, IPAddress? address) => "pair:" + AddressKey(address) + "|" + Account(account);

    // User names are bounded by the register validation; a longer login name still only keeps its first 256 characters.
    private static string Account(string account) => account.Length <= 256 ? account : account[..256];

    private static string AddressKey(IPAddress? address) =>
        address is null ? "-" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    public void Dispose()
    {
        _windows.Dispose();
        if (_redis.IsValueCreated)
        {
            _redis.Value?.Dispose();
        }
    }
}
