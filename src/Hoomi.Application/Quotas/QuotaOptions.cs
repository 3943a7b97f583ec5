namespace Hoomi.Application.Quotas;

/// <summary>Section <c>Hoomi:Quotas</c>.</summary>
public sealed class QuotaOptions
{
    public const string Section = "Hoomi:Quotas";

    /// <summary>Storage quota of a hoomi without its own, in bytes (default 10 GiB).</summary>
    public long DefaultHoomiBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>A reservation older than this is considered left by a crashed upload and is released.</summary>
    public TimeSpan StaleReservationAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How many hoomis one user may own (the creator of a hoomi is its owner); more is a 409 <c>hoomi-limit-reached</c>.</summary>
    public int MaxHoomisPerUser { get; set; } = 100;

    /// <summary>How many active (not revoked) device keys one user may have; more is a 409 <c>device-key-limit-reached</c>.</summary>
    public int MaxDeviceKeysPerUser { get; set; } = 20;
}
