namespace Hoomi.Domain.Events;

/// <summary>
/// One entry of a hoomi's event journal: what the realtime hub sent, kept so that a client that was
/// offline can catch up. <see cref="Sequence"/> counts 1, 2, 3... per hoomi, and a later number is only
/// ever committed after the earlier ones, so "everything after N" never skips an event that commits late.
/// </summary>
public sealed class HoomiEvent
{
    public const int MaxTypeLength = 32;

    private HoomiEvent()
    {
    }

    public HoomiEvent(Guid hoomiId, long sequence, string type, string payload, DateTimeOffset createdAt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(type.Length, MaxTypeLength);
        HoomiId = hoomiId;
        Sequence = sequence;
        Type = type;
        Payload = payload;
        CreatedAt = createdAt;
    }

    public Guid HoomiId { get; private set; }

    public long Sequence { get; private set; }

    /// <summary>The event name, as the hub method that delivered it (<c>MediaUploaded</c>, ...).</summary>
    public string Type { get; private set; } = "";

    /// <summary>The public fields of the event as a JSON object (ids and public metadata only, never keys).</summary>
    public string Payload { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>
    /// When the row was handed to live delivery; <see langword="null"/> while it has not been (the outbox's immediate
    /// dispatch failed, or the process died between the commit and the send): the background dispatcher sends it then.
    /// </summary>
    public DateTimeOffset? DispatchedAt { get; private set; }
}
