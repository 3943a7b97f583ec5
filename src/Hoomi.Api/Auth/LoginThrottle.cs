using System.Net;
using Hoomi.Api.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

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
/// The counters live in this instance's memory.
/// </summary>
public sealed class LoginThrottle(IOptions<RateLimitOptions> options, TimeProvider clock) : IDisposable
{
    private readonly MemoryCache _windows = new(new MemoryCacheOptions { SizeLimit = 200_000 });

    private sealed class Window(DateTimeOffset resetAt)
    {
        public DateTimeOffset ResetAt { get; } = resetAt;

        public int Failures;
    }

    /// <summary>Throws <see cref="LoginThrottledException"/> while the login may not be tried.</summary>
    public void ThrowIfThrottled(string normalizedAccount, IPAddress? address)
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

    public void Failed(string normalizedAccount, IPAddress? address)
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
    public void Succeeded(string normalizedAccount, IPAddress? address) => _windows.Remove(PairKey(normalizedAccount, address));

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

    public void Dispose() => _windows.Dispose();
}
