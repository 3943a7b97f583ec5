namespace Hoomi.Api.RateLimiting;

/// <summary>Section <c>Hoomi:RateLimits</c>: per-user limits on requests and on uploaded bytes.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Hoomi:RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>Requests per user (per client address when anonymous) per minute; short bursts up to this many at once.</summary>
    public int RequestsPerMinute { get; set; } = 6000;

    /// <summary>Ciphertext bytes a user may upload per hour; also the largest burst, so it must exceed the largest file.</summary>
    public long UploadBytesPerHour { get; set; } = 20L * 1024 * 1024 * 1024;

    /// <summary>Failed logins to one account from one client address per <see cref="LoginWindow"/> before its logins there get 429.</summary>
    public int LoginFailuresPerAccountAndAddress { get; set; } = 10;

    /// <summary>Failed logins from one client address (to any accounts) per <see cref="LoginWindow"/>.</summary>
    public int LoginFailuresPerAddress { get; set; } = 100;

    /// <summary>Failed logins to one account (from any addresses) per <see cref="LoginWindow"/>.</summary>
    public int LoginFailuresPerAccount { get; set; } = 100;

    /// <summary>The fixed window the login failure counters count in.</summary>
    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(15);
}
