namespace Hoomi.Domain.Media;

/// <summary>
/// What the server can check of an <c>HME1</c> encrypted stream without any key (e2ee.md, "What the server
/// checks"): the header fields and that the ciphertext length is one some plaintext length explains.
/// </summary>
public static class Hme1Format
{
    public const int HeaderLength = 72;
    public const int FixedHeaderLength = 8;
    public const int TagLength = 16;
    public const byte Version = 1;
    public const byte CompressedFlag = 0x01;
    public const int MinLog2SegmentSize = 12;
    public const int MaxLog2SegmentSize = 24;

    public static ReadOnlySpan<byte> Magic => "HME1"u8;

    /// <summary>Checks the first 8 header bytes; returns the segment size, or null with the reason when they are not valid.</summary>
    public static int? TryReadSegmentSize(ReadOnlySpan<byte> first8, out string? problem)
    {
        problem = null;
        if (first8.Length < FixedHeaderLength || !first8[..4].SequenceEqual(Magic))
        {
            problem = "The content does not start with the HME1 magic.";
        }
        else if (first8[4] != Version)
        {
            problem = $"Unsupported HME1 version {first8[4]}.";
        }
        else if ((first8[5] & ~CompressedFlag) != 0)
        {
            problem = "The HME1 header has unknown flags set.";
        }
        else if (first8[6] is < MinLog2SegmentSize or > MaxLog2SegmentSize)
        {
            problem = $"The HME1 segment size 2^{first8[6]} is outside 2^{MinLog2SegmentSize}..2^{MaxLog2SegmentSize}.";
        }
        else if (first8[7] != 0)
        {
            problem = "The HME1 header's reserved byte is not zero.";
        }

        return problem is null ? 1 << first8[6] : null;
    }

    /// <summary>Ciphertext length of a plaintext of <paramref name="plaintextLength"/> bytes: 72 + L + 16 * max(1, ceil(L / S)).</summary>
    public static long CiphertextLength(long plaintextLength, int segmentSize)
    {
        var segments = Math.Max(1, (plaintextLength + segmentSize - 1) / segmentSize);
        return HeaderLength + plaintextLength + (TagLength * segments);
    }

    /// <summary>True when some plaintext length L gives exactly <paramref name="ciphertextLength"/> with segment size S.</summary>
    public static bool IsValidLength(long ciphertextLength, int segmentSize)
    {
        var body = ciphertextLength - HeaderLength;
        if (body < TagLength)
        {
            return false;
        }

        // Full segments take S + 16 bytes each; what remains is the last segment: 16 + 1..S bytes,
        // or exactly 16 when there are no full segments (L = 0).
        var stride = (long)segmentSize + TagLength;
        var full = (body - 1) / stride;
        var last = body - (full * stride);
        return full == 0 ? last >= TagLength && last <= stride : last > TagLength && last <= stride;
    }
}
