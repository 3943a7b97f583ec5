namespace Hoomi.Application.Quotas;

/// <summary>Section <c>Hoomi:Quotas</c>.</summary>
public sealed class QuotaOptions
{
    public const string Section = "Hoomi:Quotas";

    /// <summary>Storage quota of a hoomi without its own, in bytes (default 10 GiB).</summary>
    public long DefaultHoomiBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>A reservation older than this is considered left by a crashed upload and is released.</summary>
    public TimeSpan StaleReservationAfter { get; set; } = TimeSpan.FromHours(24);
}
