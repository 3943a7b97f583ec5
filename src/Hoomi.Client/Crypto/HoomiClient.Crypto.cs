namespace Hoomi.Client;

public sealed partial class HoomiClient
{
    private int _segmentParallelism = 1;

    /// <summary>The most cores <see cref="SegmentParallelism"/> may name.</summary>
    public const int MaxSegmentParallelism = 64;

    /// <summary>
    /// How many of the content's 64 KiB segments are sealed (uploads) or opened (downloads) at once, each on its own core.
    /// Segments are independent, so the ciphertext is the same bytes in the same order whatever the value, and a damaged,
    /// truncated or reordered stream is refused at the same point or earlier. Memory stays bounded: a window of this many
    /// segments, at least 1 MiB, whatever the file's size. Default 1: one segment at a time on the calling thread, which one
    /// core already runs at about the speed of the bare cipher; on the two-core benchmark machine 2 was slower (the
    /// network, the hashing and the copy compete for the same cores), so more is for callers that measured a gain.
    /// Set it before an upload or download starts.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1 or more than <see cref="MaxSegmentParallelism"/>.</exception>
    public int SegmentParallelism
    {
        get => _segmentParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxSegmentParallelism);
            _segmentParallelism = value;
        }
    }
}
