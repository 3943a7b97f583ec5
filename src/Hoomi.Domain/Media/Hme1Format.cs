namespace Hoomi.Domain.Media;

/// <summary>
/// What the server can check of an <c>HME1</c> encrypted stream without any key (e2ee.md, "What the server
/// checks"): the header fields and that the ciphertext length is one some plaintext length explains.
/// Stream version 1 (<c>hoomi-e2ee-1</c>) has a 72-byte header; version 2 (<c>hoomi-e2ee-2</c>) a 96-byte
/// header (it adds the sealed length) and may be padded; both segment the (padded) plaintext alike.
/// </summary>
public static class Hme1Format
{
    /// <summary>The version-1 header length (also the shortest header of any version).</summary>
    public const int HeaderLength = 72;
    public const int HeaderLengthV2 = 96;
    public const int MaxHeaderLength = HeaderLengthV2;
    public const int FixedHeaderLength = 8;
    public const int TagLength = 16;
    public const byte Version = 1;
    public const byte Version2 = 2;
    public const byte CompressedFlag = 0x01;

    /// <summary>Version 2 only: the plaintext is padded (Padmé) before it is segmented.</summary>
    public const byte PaddedFlag = 0x02;
    public const int MinLog2SegmentSize = 12;
    public const int MaxLog2SegmentSize = 24;

    public static ReadOnlySpan<byte> Magic => "HME1"u8;

    /// <summary>The header length of a stream version, or null for a version this server does not know.</summary>
    public static int? HeaderLengthOf(byte version) => version switch
    {
        Version => HeaderLength,
        Version2 => HeaderLengthV2,
        _ => null,
    };

    /// <summary>The flags a stream version allows: compression in both, padding from version 2 on.</summary>
    public static byte AllowedFlagsOf(byte version) => version == Version2 ? (byte)(CompressedFlag | PaddedFlag) : CompressedFlag;

    /// <summary>Checks the first 8 header bytes; returns the segment size, or null with the reason when they are not valid.</summary>
    public static int? TryReadSegmentSize(ReadOnlySpan<byte> first8, out string? problem) =>
        TryReadHeader(first8, out problem)?.SegmentSize;

    /// <summary>Checks the first 8 header bytes; returns what they tell, or null with the reason when they are not valid.</summary>
    public static Hme1Header? TryReadHeader(ReadOnlySpan<byte> first8, out string? problem)
    {
        problem = null;
        if (first8.Length < FixedHeaderLength || !first8[..4].SequenceEqual(Magic))
        {
            problem = "The content does not start with the HME1 magic.";
        }
        else if (HeaderLengthOf(first8[4]) is null)
        {
            problem = $"Unsupported HME1 version {first8[4]}.";
        }
        else if ((first8[5] & ~AllowedFlagsOf(first8[4])) != 0)
        {
            problem = $"The HME1 version {first8[4]} header has unknown flags set.";
        }
        else if (first8[6] is < MinLog2SegmentSize or > MaxLog2SegmentSize)
        {
            problem = $"The HME1 segment size 2^{first8[6]} is outside 2^{MinLog2SegmentSize}..2^{MaxLog2SegmentSize}.";
        }
        else if (first8[7] != 0)
        {
            problem = "The HME1 header's reserved byte is not zero.";
        }

        return problem is null ? new Hme1Header(first8[4], first8[5], 1 << first8[6], HeaderLengthOf(first8[4])!.Value) : null;
    }

    /// <summary>
    /// Ciphertext length of a (padded) plaintext of <paramref name="plaintextLength"/> bytes:
    /// H + L + 16 * max(1, ceil(L / S)), H the header length (72 for version 1, 96 for version 2).
    /// </summary>
    public static long CiphertextLength(long plaintextLength, int segmentSize, int headerLength = HeaderLength)
    {
        var segments = Math.Max(1, (plaintextLength + segmentSize - 1) / segmentSize);
        return headerLength + plaintextLength + (TagLength * segments);
    }

    /// <summary>True when some plaintext length L gives exactly <paramref name="ciphertextLength"/> with segment size S and header length H.</summary>
    public static bool IsValidLength(long ciphertextLength, int segmentSize, int headerLength = HeaderLength)
    {
        var body = ciphertextLength - headerLength;
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

/// <summary>What the first 8 bytes of a valid HME1 stream tell: its version, flags, segment size and header length.</summary>
public readonly record struct Hme1Header(byte Version, byte Flags, int SegmentSize, int HeaderLength)
{
    public string Scheme => Version == Hme1Format.Version2 ? MediaItem.SchemeV2 : MediaItem.SchemeV1;
}
