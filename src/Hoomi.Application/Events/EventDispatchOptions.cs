namespace Hoomi.Application.Events;

/// <summary>Section <c>Hoomi:Events</c>: how committed journal rows are sent live.</summary>
public sealed class EventDispatchOptions
{
    public const string Section = "Hoomi:Events";

    /// <summary>
    /// Send a change's events right after its commit (the normal path: media events through the dispatcher's
    /// background queue, membership events before the request is answered). <see langword="false"/> leaves every event to
    /// the background dispatcher: only for fault tests that need a committed, not yet sent row.
    /// </summary>
    public bool ImmediateDispatch { get; set; } = true;

    /// <summary>How often the background dispatcher looks for committed rows not sent yet.</summary>
    public TimeSpan RedispatchInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A row not sent this long after its commit is sent by the background dispatcher (sooner would race the immediate dispatch).</summary>
    public TimeSpan RedispatchAfter { get; set; } = TimeSpan.FromSeconds(5);
}
