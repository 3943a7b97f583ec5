using Hoomi.Client.Crypto;

namespace Hoomi.Client.Tests.Crypto;

public class Hme1FormatTests
{
    [TestCase(0L, 4096, 88L)]
    [TestCase(1L, 4096, 89L)]
    [TestCase(4095L, 4096, 72L + 4095 + 16)]
    [TestCase(4096L, 4096, 72L + 4096 + 16)]
    [TestCase(4097L, 4096, 72L + 4097 + 32)]
    [TestCase(3 * 65536L, 65536, 72L + (3 * 65536) + 48)]
    [TestCase(10_000_000_000L, 1 << 24, 72L + 10_000_000_000 + (16 * 597))]
    public void Ciphertext_length_follows_the_rule(long plaintextLength, int segmentSize, long expected)
    {
        Assert.That(Hme1Format.CiphertextLength(plaintextLength, segmentSize), Is.EqualTo(expected));
        Assert.That(Hme1Format.TryPlaintextLength(expected, segmentSize, out var back), Is.True);
        Assert.That(back, Is.EqualTo(plaintextLength));
    }

    [Test]
    public void Every_ciphertext_length_has_at_most_one_plaintext_length_and_the_rule_inverts()
    {
        const int s = 4096;
        var explained = new Dictionary<long, long>();
        for (long l = 0; l <= (3 * s) + 5; l++)
        {
            var c = Hme1Format.CiphertextLength(l, s);
            Assert.That(explained.TryAdd(c, l), Is.True, $"two plaintext lengths give {c}");
        }

        for (long c = 0; c <= Hme1Format.CiphertextLength(3 * s, s); c++)
        {
            var ok = Hme1Format.TryPlaintextLength(c, s, out var l);
            Assert.That(ok, Is.EqualTo(explained.ContainsKey(c)), $"length {c}");
            if (ok)
            {
                Assert.That(l, Is.EqualTo(explained[c]));
            }
        }
    }

    [TestCase(0L)]
    [TestCase(71L)]
    [TestCase(87L)]
    [TestCase(72L + 4096 + 16 + 16)]
    [TestCase(72L + 4096 + 16 + 15)]
    [TestCase(72L + 4096 + 16 + 1)]
    public void Lengths_no_plaintext_explains_are_refused(long ciphertextLength) =>
        Assert.That(Hme1Format.TryPlaintextLength(ciphertextLength, 4096, out _), Is.False);

    [Test]
    public void Segment_sizes_outside_the_range_are_refused()
    {
        Assert.That(() => Hme1Format.CiphertextLength(1, 2048), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => Hme1Format.CiphertextLength(1, (1 << 24) * 2), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => Hme1Format.CiphertextLength(1, 5000), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void A_writer_header_parses_without_a_key()
    {
        var ciphertext = Hme1TestData.Encrypt(Hme1TestData.Pattern(10), log2: 13, compress: true);
        var header = Hme1Format.ParseHeader(ciphertext.AsSpan(0, 72));
        Assert.Multiple(() =>
        {
            Assert.That(header.Bytes.Span[..4].SequenceEqual("HME1"u8), Is.True);
            Assert.That(header.Bytes.Span[4], Is.EqualTo(1));
            Assert.That(header.IsCompressed, Is.True);
            Assert.That(header.Log2SegmentSize, Is.EqualTo(13));
            Assert.That(header.SegmentSize, Is.EqualTo(8192));
            Assert.That(header.Bytes.Span[7], Is.Zero);
        });
    }

    [TestCase(0, 0x00, Hme1Error.BadMagic)]
    [TestCase(3, 0x32, Hme1Error.BadMagic)]
    [TestCase(4, 0x03, Hme1Error.UnsupportedVersion)]
    [TestCase(4, 0x00, Hme1Error.UnsupportedVersion)]
    [TestCase(5, 0x02, Hme1Error.UnknownFlags)]
    [TestCase(5, 0x81, Hme1Error.UnknownFlags)]
    [TestCase(6, 11, Hme1Error.SegmentSizeOutOfRange)]
    [TestCase(6, 25, Hme1Error.SegmentSizeOutOfRange)]
    [TestCase(7, 0x01, Hme1Error.ReservedByteNotZero)]
    public void Header_fields_are_checked(int offset, byte value, Hme1Error expected)
    {
        var header = Hme1TestData.Encrypt([1, 2, 3])[..72];
        header[offset] = value;
        Assert.That(Hme1Format.TryParseHeader(header, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(expected));
        Assert.That(() => Hme1Format.ParseHeader(header), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(expected));
    }

    [Test]
    public void A_short_header_is_a_truncation()
    {
        var header = Hme1TestData.Encrypt([1, 2, 3]);
        Assert.That(Hme1Format.TryParseHeader(header.AsSpan(0, 71), out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(Hme1Error.Truncated));
        Assert.That(Hme1Format.TryParseHeader(header.AsSpan(0, 72), out _, out _), Is.True);
    }
}
