namespace Hoomi.Application.Media;

/// <summary>Section <c>Hoomi:Retention</c>: how long deleted media can be restored, and how the clean-up jobs run.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Hoomi:Retention";

    /// <summary>A deleted item can be restored for this long; then the purge removes it for good.</summary>
    public TimeSpan RestoreWindow { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Blobs younger than this are never orphans: their upload may still be committing.</summary>
    public TimeSpan OrphanGracePeriod { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan OrphanSweepInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long the realtime event journal keeps entries for catch-up; older cursors get 410 and resync.</summary>
    public TimeSpan EventJournalRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Run the background jobs in this instance (one instance at a time runs each, by a lock).</summary>
    public bool RunJobs { get; set; } = true;
}
