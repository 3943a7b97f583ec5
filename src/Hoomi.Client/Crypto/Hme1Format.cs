using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Hoomi.Client.Crypto;

/// <summary>Which stream of a media item an <c>HME1</c> stream is; part of its key derivation.</summary>
internal enum Hme1Purpose
{
    Content,
    Thumbnail,
}

/// <summary>Why an <c>HME1</c> stream was refused.</summary>
public enum Hme1Error
{
    BadMagic,
    UnsupportedVersion,
    UnknownFlags,
    SegmentSizeOutOfRange,
    ReservedByteNotZero,
    InvalidLength,
    CommitmentMismatch,
    AuthenticationFailed,
    Truncated,
    TrailingData,
    NotSeekable,
    InvalidCompressedData,

    /// <summary>Version 2: the sealed length does not open, or the padded length is not the one the rule gives.</summary>
    InvalidSealedLength,

    /// <summary>Version 2: a padding byte (after the sealed length L) is not zero.</summary>
    InvalidPadding,
}

/// <summary>A refused <c>HME1</c> stream; <see cref="Error"/> says why.</summary>
public sealed class Hme1Exception : CryptographicException
{
    public Hme1Exception()
    {
    }

    public Hme1Exception(string message)
        : base(message)
    {
    }

    public Hme1Exception(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public Hme1Exception(Hme1Error error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    public Hme1Error Error { get; }
}

/// <summary>The parsed header of an <c>HME1</c> stream: 72 bytes in version 1, 96 in version 2 (e2ee.md).</summary>
internal sealed class Hme1Header
{
    internal Hme1Header(byte[] bytes)
    {
        Bytes = bytes;
    }

    /// <summary>The header bytes as read or written (72 in version 1, 96 in version 2).</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    public byte Version => Bytes.Span[4];

    public int Length => Bytes.Length;

    public byte Flags => Bytes.Span[5];

    public bool IsCompressed => (Flags & Hme1Format.CompressedFlag) != 0;

    /// <summary>Version 2: the plaintext was padded to its Padmé bucket.</summary>
    public bool IsPadded => (Flags & Hme1Format.PaddedFlag) != 0;

    /// <summary>Version 2: the sealed plaintext length (24 bytes at offset 72); empty in version 1.</summary>
    public ReadOnlyMemory<byte> SealedLength => Version >= 2 ? Bytes.Slice(72, Hme1Format.SealedLengthLength) : ReadOnlyMemory<byte>.Empty;

    public int Log2SegmentSize => Bytes.Span[6];

    public int SegmentSize => 1 << Log2SegmentSize;

    public ReadOnlyMemory<byte> Salt => Bytes.Slice(8, Hme1Format.SaltLength);

    public ReadOnlyMemory<byte> Commitment => Bytes.Slice(40, Hme1Format.CommitmentLength);
}

/// <summary>
/// The layout and length rules of <c>HME1</c> (e2ee.md, "Encrypted stream"), usable without any key, e.g. to
/// check an upload or to plan an HTTP Range request.
/// </summary>
internal static class Hme1Format
{
    /// <summary>The version-1 header length; version 2 has <see cref="HeaderLengthV2"/>.</summary>
    public const int HeaderLength = 72;
    public const int HeaderLengthV2 = 96;
    public const int SealedLengthLength = 24;
    public const byte Version2 = 2;
    public const byte PaddedFlag = 0x02;
    public const int TagLength = 16;
    public const int SaltLength = 32;
    public const int CommitmentLength = 32;
    public const byte Version = 1;
    public const byte CompressedFlag = 0x01;
    public const int MinLog2SegmentSize = 12;
    public const int MaxLog2SegmentSize = 24;
    public const int DefaultLog2SegmentSize = 16;

    private const int KeyLength = 32;
    private const int NonceLength = 12;

    public static ReadOnlySpan<byte> Magic => "HME1"u8;

    /// <summary>The header length of a stream whose version byte is <paramref name="version"/> (72 for 1, 96 for 2).</summary>
    public static int HeaderLengthOf(byte version) => version >= Version2 ? HeaderLengthV2 : HeaderLength;

    /// <summary>
    /// Padmé (Nikitin et al., PURBs, 2019): L for L &lt; 2; otherwise L rounded up so that only the top
    /// floor(log2 floor(log2 L)) + 1 bits of the mantissa may be non-zero. At most ~12 % larger, leaks O(log log L) bits.
    /// </summary>
    public static long Padme(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length < 2)
        {
            return length;
        }

        var e = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)length);
        var s = (63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)e)) + 1;
        var z = e - s;
        var mask = (1L << z) - 1;
        return (length + mask) & ~mask;
    }

    /// <summary>Ciphertext length of a version-2 stream whose (padded) segmented plaintext has <paramref name="paddedLength"/> bytes.</summary>
    public static long CiphertextLengthV2(long paddedLength, int segmentSize) =>
        CiphertextLength(paddedLength, segmentSize) - HeaderLength + HeaderLengthV2;

    /// <summary>Ciphertext length of a version-2 stream of <paramref name="plaintextLength"/> bytes, padded or not.</summary>
    public static long CiphertextLengthV2(long plaintextLength, int segmentSize, bool padded) =>
        CiphertextLengthV2(padded ? Padme(plaintextLength) : plaintextLength, segmentSize);

    /// <summary>The segmented plaintext length that explains a ciphertext length for a header of <paramref name="headerLength"/> bytes.</summary>
    public static bool TryPlaintextLength(long ciphertextLength, int segmentSize, int headerLength, out long plaintextLength) =>
        TryPlaintextLength(ciphertextLength - headerLength + HeaderLength, segmentSize, out plaintextLength);

    /// <summary>Ciphertext length for a plaintext of <paramref name="plaintextLength"/> bytes: 72 + L + 16 * max(1, ceil(L / S)).</summary>
    public static long CiphertextLength(long plaintextLength, int segmentSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        CheckSegmentSize(segmentSize);
        return HeaderLength + plaintextLength + (TagLength * SegmentCount(plaintextLength, segmentSize));
    }

    /// <summary>The number of segments, max(1, ceil(L / S)).</summary>
    public static long SegmentCount(long plaintextLength, int segmentSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        CheckSegmentSize(segmentSize);
        return Math.Max(1, (plaintextLength + segmentSize - 1) / segmentSize);
    }

    /// <summary>The plaintext length that explains a ciphertext length, or false when none does.</summary>
    public static bool TryPlaintextLength(long ciphertextLength, int segmentSize, out long plaintextLength)
    {
        CheckSegmentSize(segmentSize);
        plaintextLength = 0;
        var body = ciphertextLength - HeaderLength;
        if (body < TagLength)
        {
            return false;
        }

        long stride = segmentSize + TagLength;
        var full = body / stride;
        var rest = body % stride;
        if (rest == 0)
        {
            plaintextLength = full * segmentSize;
            return true;
        }

        // A partial last segment carries 1..S-1 bytes; an empty one exists only when it is the only segment.
        if (rest < TagLength || (rest == TagLength && full > 0))
        {
            return false;
        }

        plaintextLength = (full * segmentSize) + rest - TagLength;
        return true;
    }

    /// <summary>Checks the header fields (not the commitment, which needs the key) in the order e2ee.md gives.</summary>
    public static bool TryParseHeader(ReadOnlySpan<byte> header, out Hme1Header? parsed, out Hme1Error? error)
    {
        parsed = null;
        error = CheckFixedHeader(header);
        if (error is null && header.Length != HeaderLengthOf(header[4]))
        {
            error = Hme1Error.Truncated;
        }

        if (error is null)
        {
            parsed = new Hme1Header(header.ToArray());
        }

        return error is null;
    }

    /// <summary>Parses the header or throws <see cref="Hme1Exception"/>.</summary>
    public static Hme1Header ParseHeader(ReadOnlySpan<byte> header)
    {
        if (!TryParseHeader(header, out var parsed, out var error))
        {
            throw Fail(error!.Value);
        }

        return parsed!;
    }

    /// <summary>
    /// The ciphertext byte range (offset and length) of the segments that cover plaintext bytes
    /// [<paramref name="plaintextOffset"/>, +<paramref name="count"/>) of an uncompressed stream, for one HTTP Range request.
    /// </summary>
    public static Hme1SegmentRange CoveringSegments(Hme1Header header, long ciphertextLength, long plaintextOffset, long count)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header.IsCompressed)
        {
            throw Fail(Hme1Error.NotSeekable);
        }

        var segmentSize = header.SegmentSize;
        if (!TryPlaintextLength(ciphertextLength, segmentSize, header.Length, out var paddedLength))
        {
            throw Fail(Hme1Error.InvalidLength);
        }

        return CoveringSegments(header, ciphertextLength, paddedLength, paddedLength, plaintextOffset, count);
    }

    /// <summary>
    /// As <see cref="CoveringSegments(Hme1Header, long, long, long)"/>, with the segmented (padded) length and the
    /// readable plaintext length known (version 2: the sealed length L; the range must lie within it).
    /// </summary>
    public static Hme1SegmentRange CoveringSegments(Hme1Header header, long ciphertextLength, long paddedLength, long plaintextLength, long plaintextOffset, long count)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header.IsCompressed)
        {
            throw Fail(Hme1Error.NotSeekable);
        }

        var segmentSize = header.SegmentSize;
        var headerLength = header.Length;

        ArgumentOutOfRangeException.ThrowIfNegative(plaintextOffset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (plaintextOffset + count > plaintextLength)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "The range extends beyond the plaintext.");
        }

        var segmentCount = SegmentCount(paddedLength, segmentSize);
        var first = plaintextOffset / segmentSize;
        var last = (plaintextOffset + count - 1) / segmentSize;
        long stride = segmentSize + TagLength;
        var start = headerLength + (first * stride);
        var end = last == segmentCount - 1 ? ciphertextLength : headerLength + ((last + 1) * stride);
        return new Hme1SegmentRange(first, last - first + 1, start, end - start, first * (long)segmentSize, last == segmentCount - 1);
    }

    internal static Hme1Error? CheckFixedHeader(ReadOnlySpan<byte> header)
    {
        var prefix = Math.Min(header.Length, Magic.Length);
        if (!header[..prefix].SequenceEqual(Magic[..prefix]))
        {
            return Hme1Error.BadMagic;
        }

        if (header.Length < 8)
        {
            return Hme1Error.Truncated;
        }

        if (header[4] is not (Version or Version2))
        {
            return Hme1Error.UnsupportedVersion;
        }

        var allowedFlags = header[4] == Version2 ? CompressedFlag | PaddedFlag : CompressedFlag;
        if ((header[5] & ~allowedFlags) != 0)
        {
            return Hme1Error.UnknownFlags;
        }

        if (header[6] is < MinLog2SegmentSize or > MaxLog2SegmentSize)
        {
            return Hme1Error.SegmentSizeOutOfRange;
        }

        return header[7] != 0 ? Hme1Error.ReservedByteNotZero : null;
    }

    internal static Hme1Exception Fail(Hme1Error error, Exception? inner = null) => new(error, error switch
    {
        Hme1Error.BadMagic => "The stream does not start with the HME1 magic.",
        Hme1Error.UnsupportedVersion => "Unsupported HME1 version.",
        Hme1Error.UnknownFlags => "The HME1 header has unknown flags set.",
        Hme1Error.SegmentSizeOutOfRange => "The HME1 segment size is outside 2^12..2^24.",
        Hme1Error.ReservedByteNotZero => "The HME1 header's reserved byte is not zero.",
        Hme1Error.InvalidLength => "No plaintext length explains the HME1 ciphertext length.",
        Hme1Error.CommitmentMismatch => "The HME1 key commitment does not match: wrong key, wrong purpose or edited header.",
        Hme1Error.AuthenticationFailed => "An HME1 segment failed authentication: edited, reordered, truncated or extended ciphertext.",
        Hme1Error.Truncated => "The HME1 stream ends before its last segment.",
        Hme1Error.TrailingData => "The HME1 stream has data after its last segment.",
        Hme1Error.NotSeekable => "Compressed HME1 streams cannot be read at a plaintext offset.",
        Hme1Error.InvalidCompressedData => "The decrypted HME1 plaintext is not one valid Brotli stream.",
        Hme1Error.InvalidSealedLength => "The HME1 sealed length does not open or does not match the stream's padded length (truncated or edited padding).",
        Hme1Error.InvalidPadding => "The HME1 padding after the plaintext is not all zero.",
        _ => "The HME1 stream is invalid.",
    }, inner);

    internal static void CheckSegmentSize(int segmentSize)
    {
        if (segmentSize < 1 << MinLog2SegmentSize || segmentSize > 1 << MaxLog2SegmentSize || (segmentSize & (segmentSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(segmentSize), segmentSize, "The segment size must be a power of two in 2^12..2^24.");
        }
    }

    internal static ReadOnlySpan<byte> PurposeLabel(Hme1Purpose purpose) => purpose switch
    {
        Hme1Purpose.Content => "content"u8,
        Hme1Purpose.Thumbnail => "thumbnail"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "Unknown purpose."),
    };

    /// <summary>
    /// Version 1: okm = HKDF-SHA256(K, salt, "hoomi-e2ee-1 " || purpose || 0x00 || H8, 76).
    /// Version 2 (H8's version byte is 2): label "hoomi-e2ee-2 ", 108 bytes, the last 32 being the length key.
    /// </summary>
    internal static void DeriveKeys(ReadOnlySpan<byte> fileKey, Hme1Purpose purpose, ReadOnlySpan<byte> first40HeaderBytes, Span<byte> payloadKey, Span<byte> baseNonce, Span<byte> commitment, Span<byte> lengthKey = default)
    {
        if (fileKey.Length != FileKeyWrapper.FileKeyLength)
        {
            throw new ArgumentException("The file key must be 32 bytes.", nameof(fileKey));
        }

        var v2 = first40HeaderBytes[4] == Version2;
        byte[] info = [.. v2 ? "hoomi-e2ee-2 "u8 : "hoomi-e2ee-1 "u8, .. PurposeLabel(purpose), 0x00, .. first40HeaderBytes[..8]];
        Span<byte> okm = stackalloc byte[KeyLength + NonceLength + CommitmentLength + (v2 ? KeyLength : 0)];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, fileKey, okm, first40HeaderBytes.Slice(8, SaltLength), info);
        okm[..KeyLength].CopyTo(payloadKey);
        okm.Slice(KeyLength, NonceLength).CopyTo(baseNonce);
        okm.Slice(KeyLength + NonceLength, CommitmentLength).CopyTo(commitment);
        if (v2)
        {
            okm.Slice(KeyLength + NonceLength + CommitmentLength, KeyLength).CopyTo(lengthKey);
        }

        CryptographicOperations.ZeroMemory(okm);
    }

    /// <summary>nonce_i = baseNonce XOR (I2OSP(i, 11) || last).</summary>
    internal static void SegmentNonce(ReadOnlySpan<byte> baseNonce, long index, bool last, Span<byte> nonce)
    {
        Span<byte> counter = stackalloc byte[NonceLength];
        counter.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(counter.Slice(3, 8), (ulong)index);
        counter[11] = last ? (byte)1 : (byte)0;
        for (var i = 0; i < NonceLength; i++)
        {
            nonce[i] = (byte)(baseNonce[i] ^ counter[i]);
        }
    }
}

/// <summary>
/// The segments covering a plaintext range: their indexes, the ciphertext bytes to request
/// (<see cref="CiphertextOffset"/>, <see cref="CiphertextLength"/>) and the plaintext offset of the first one.
/// </summary>
internal readonly record struct Hme1SegmentRange(long FirstSegment, long SegmentCount, long CiphertextOffset, long CiphertextLength, long PlaintextOffset, bool IncludesLastSegment)
{
    /// <summary>The value for an HTTP <c>Range</c> header.</summary>
    public string HttpRange => FormattableString.Invariant($"bytes={CiphertextOffset}-{CiphertextOffset + CiphertextLength - 1}");
}
