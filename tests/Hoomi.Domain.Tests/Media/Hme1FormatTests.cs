using Hoomi.Domain.Media;

namespace Hoomi.Domain.Tests.Media;

public sealed class Hme1FormatTests
{
    private static byte[] Header(byte version = 1, byte flags = 0, byte log2 = 16, byte reserved = 0) =>
        [0x48, 0x4D, 0x45, 0x31, version, flags, log2, reserved];

    private static (int? Size, string? Problem) Read(byte[] first8)
    {
        var size = Hme1Format.TryReadSegmentSize(first8, out var problem);
        return (size, problem);
    }

    private static void AssertRefused(byte[] first8, string problemMentions)
    {
        var (size, problem) = Read(first8);
        Assert.Multiple(() =>
        {
            Assert.That(size, Is.Null);
            Assert.That(problem, Does.Contain(problemMentions));
        });
    }

    [TestCase(12, 4096)]
    [TestCase(16, 65536)]
    [TestCase(24, 16 * 1024 * 1024)]
    public void A_valid_header_gives_its_segment_size_and_no_problem(int log2, int segmentSize)
    {
        var (size, problem) = Read(Header(log2: (byte)log2));
        Assert.Multiple(() =>
        {
            Assert.That(size, Is.EqualTo(segmentSize));
            Assert.That(problem, Is.Null);
        });
    }

    [Test]
    public void The_compressed_flag_is_the_one_flag_allowed() =>
        Assert.That(Read(Header(flags: Hme1Format.CompressedFlag)).Size, Is.EqualTo(65536));

    [TestCase(0x02)]
    [TestCase(0x03)]
    [TestCase(0x80)]
    [TestCase(0xFF)]
    public void Any_flag_other_than_compressed_is_refused(int flags) => AssertRefused(Header(flags: (byte)flags), "flags");

    [TestCase(11)]
    [TestCase(25)]
    [TestCase(0)]
    [TestCase(31)]
    [TestCase(255)]
    public void A_segment_size_outside_2_to_the_12_to_2_to_the_24_is_refused(int log2) =>
        AssertRefused(Header(log2: (byte)log2), "segment size");

    [TestCase(0)]
    [TestCase(3)]
    [TestCase(255)]
    public void A_version_other_than_1_or_2_is_refused(int version) => AssertRefused(Header(version: (byte)version), "version");

    [TestCase(1)]
    [TestCase(0x80)]
    public void A_non_zero_reserved_byte_is_refused(int reserved) => AssertRefused(Header(reserved: (byte)reserved), "reserved");

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void A_wrong_magic_byte_is_refused(int index)
    {
        var header = Header();
        header[index] ^= 0x20;
        AssertRefused(header, "magic");
    }

    [TestCase(0)]
    [TestCase(4)]
    [TestCase(7)]
    public void Fewer_than_8_bytes_are_refused(int length) => AssertRefused(Header()[..length], "magic");

    [Test]
    public void Magic_is_checked_before_the_other_fields()
    {
        byte[] header = [(byte)'h', (byte)'m', (byte)'e', (byte)'1', 9, 0xFF, 99, 7];
        AssertRefused(header, "magic");
    }

    [Test]
    public void Bytes_after_the_first_8_are_ignored() =>
        Assert.That(Read([.. Header(log2: 12), .. new byte[64]]).Size, Is.EqualTo(4096));

    [TestCase(0L, 4096, 88L)]
    [TestCase(1L, 4096, 89L)]
    [TestCase(4096L, 4096, 72L + 4096 + 16)]
    [TestCase(4097L, 4096, 72L + 4097 + 32)]
    [TestCase(8192L, 4096, 72L + 8192 + 32)]
    [TestCase(8193L, 4096, 72L + 8193 + 48)]
    [TestCase(50L * 1024 * 1024, 65536, 72L + (50L * 1024 * 1024) + (16 * 800))]
    [TestCase(3L * 1024 * 1024 * 1024, 1 << 24, 72L + (3L * 1024 * 1024 * 1024) + (16 * 192))]
    public void The_ciphertext_length_is_header_plus_plaintext_plus_one_tag_per_segment(long plaintext, int segmentSize, long expected) =>
        Assert.That(Hme1Format.CiphertextLength(plaintext, segmentSize), Is.EqualTo(expected));

    // The oracle: every L in 0..3S+2 gives 72 + L + 16 * max(1, ceil(L / S)), computed without Hme1Format.
    private static HashSet<long> OracleLengths(int segmentSize)
    {
        var lengths = new HashSet<long>();
        for (long l = 0; l <= (3L * segmentSize) + 2; l++)
        {
            var segments = Math.Max(1, (long)Math.Ceiling(l / (double)segmentSize));
            lengths.Add(72 + l + (16 * segments));
        }

        return lengths;
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(5)]
    [TestCase(16)]
    [TestCase(17)]
    [TestCase(4096)]
    public void IsValidLength_accepts_exactly_the_lengths_some_plaintext_length_gives(int segmentSize)
    {
        var expected = OracleLengths(segmentSize);
        // 3S+2 bytes of plaintext need 4 segments; the oracle is complete up to there.
        var upTo = 72 + (3L * segmentSize) + 2 + (16 * 4);
        var wrong = new List<long>();
        for (long c = 0; c <= upTo; c++)
        {
            if (Hme1Format.IsValidLength(c, segmentSize) != expected.Contains(c))
            {
                wrong.Add(c);
            }
        }

        Assert.That(wrong, Is.Empty, $"lengths judged wrongly with S = {segmentSize}");
    }

    [TestCase(1)]
    [TestCase(16)]
    [TestCase(4096)]
    public void CiphertextLength_agrees_with_the_oracle_and_is_always_valid(int segmentSize)
    {
        for (long l = 0; l <= (3L * segmentSize) + 2; l++)
        {
            var length = Hme1Format.CiphertextLength(l, segmentSize);
            var segments = Math.Max(1, (long)Math.Ceiling(l / (double)segmentSize));
            if (length != 72 + l + (16 * segments) || !Hme1Format.IsValidLength(length, segmentSize))
            {
                Assert.Fail($"L = {l}, S = {segmentSize}: ciphertext length {length}");
            }
        }
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void An_empty_last_segment_after_full_ones_is_invalid(int fullSegments)
    {
        const int S = 4096;
        var withEmptyLast = 72 + (fullSegments * (S + 16L)) + 16;
        Assert.Multiple(() =>
        {
            Assert.That(Hme1Format.IsValidLength(withEmptyLast, S), Is.False);
            // Its neighbours are valid: without the empty segment's tag, and with one byte in the last segment.
            Assert.That(Hme1Format.IsValidLength(withEmptyLast - 16, S), Is.True, "n full segments");
            Assert.That(Hme1Format.IsValidLength(withEmptyLast + 1, S), Is.True, "n full segments and one of 1 byte");
        });
    }

    [Test]
    public void An_empty_plaintext_is_one_empty_segment_and_valid()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Hme1Format.IsValidLength(88, 4096), Is.True);
            Assert.That(Hme1Format.IsValidLength(87, 4096), Is.False);
            Assert.That(Hme1Format.IsValidLength(72, 4096), Is.False);
            Assert.That(Hme1Format.IsValidLength(0, 4096), Is.False);
            Assert.That(Hme1Format.IsValidLength(-1, 4096), Is.False);
        });
    }

    [Test]
    public void Large_lengths_are_judged_without_overflow()
    {
        const int S = 1 << 24;
        var valid = Hme1Format.CiphertextLength(5L * 1024 * 1024 * 1024 * 1024, S);
        Assert.Multiple(() =>
        {
            Assert.That(Hme1Format.IsValidLength(valid, S), Is.True);
            Assert.That(Hme1Format.IsValidLength(Hme1Format.CiphertextLength(5L * S, S) + 16, S), Is.False, "empty last segment");
        });
    }

    // Stream version 2 (hoomi-e2ee-2): 96-byte header, flags 0x01 compressed and 0x02 padded.

    [TestCase(0x00)]
    [TestCase(0x01)]
    [TestCase(0x02)]
    [TestCase(0x03)]
    public void A_version_2_header_allows_the_compressed_and_padded_flags(int flags)
    {
        var header = Hme1Format.TryReadHeader(Header(version: 2, flags: (byte)flags), out var problem);
        Assert.Multiple(() =>
        {
            Assert.That(problem, Is.Null);
            Assert.That(header, Is.EqualTo(new Hme1Header(2, (byte)flags, 65536, 96)));
            Assert.That(header!.Value.Scheme, Is.EqualTo("hoomi-e2ee-2"));
        });
    }

    [TestCase(0x04)]
    [TestCase(0x06)]
    [TestCase(0x80)]
    public void A_version_2_header_refuses_any_other_flag(int flags) => AssertRefused(Header(version: 2, flags: (byte)flags), "flags");

    [Test]
    public void The_padded_flag_is_refused_in_version_1() => AssertRefused(Header(version: 1, flags: Hme1Format.PaddedFlag), "flags");

    [Test]
    public void A_version_1_header_reads_as_72_bytes_of_scheme_hoomi_e2ee_1()
    {
        var header = Hme1Format.TryReadHeader(Header(), out _);
        Assert.Multiple(() =>
        {
            Assert.That(header!.Value.HeaderLength, Is.EqualTo(72));
            Assert.That(header.Value.Scheme, Is.EqualTo("hoomi-e2ee-1"));
            Assert.That(Hme1Format.HeaderLengthOf(1), Is.EqualTo(72));
            Assert.That(Hme1Format.HeaderLengthOf(2), Is.EqualTo(96));
            Assert.That(Hme1Format.HeaderLengthOf(3), Is.Null);
        });
    }

    [TestCase(1)]
    [TestCase(16)]
    [TestCase(4096)]
    public void The_version_2_length_rule_is_96_plus_P_plus_one_tag_per_segment(int segmentSize)
    {
        var expected = new HashSet<long>();
        for (long p = 0; p <= (3L * segmentSize) + 2; p++)
        {
            var segments = Math.Max(1, (long)Math.Ceiling(p / (double)segmentSize));
            expected.Add(96 + p + (16 * segments));
            Assert.That(Hme1Format.CiphertextLength(p, segmentSize, Hme1Format.HeaderLengthV2), Is.EqualTo(96 + p + (16 * segments)));
        }

        var upTo = 96 + (3L * segmentSize) + 2 + (16 * 4);
        var wrong = new List<long>();
        for (long c = 0; c <= upTo; c++)
        {
            if (Hme1Format.IsValidLength(c, segmentSize, Hme1Format.HeaderLengthV2) != expected.Contains(c))
            {
                wrong.Add(c);
            }
        }

        Assert.That(wrong, Is.Empty, $"version-2 lengths judged wrongly with S = {segmentSize}");
    }

    [Test]
    public void The_shortest_version_2_stream_is_112_bytes()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Hme1Format.IsValidLength(112, 4096, Hme1Format.HeaderLengthV2), Is.True);
            Assert.That(Hme1Format.IsValidLength(111, 4096, Hme1Format.HeaderLengthV2), Is.False);
            Assert.That(Hme1Format.IsValidLength(88, 4096, Hme1Format.HeaderLengthV2), Is.False, "a v1-sized empty stream");
        });
    }
}
