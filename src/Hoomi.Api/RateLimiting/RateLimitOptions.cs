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
}
