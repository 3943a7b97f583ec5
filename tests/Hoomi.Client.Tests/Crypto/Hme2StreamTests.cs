using Hoomi.Client.Crypto;

namespace Hoomi.Client.Tests.Crypto;

/// <summary>Stream version 2 (hoomi-e2ee-2): the sealed length, Padmé padding, seeking, and what readers refuse.</summary>
public class Hme2StreamTests
{
    private static readonly byte[] Key = Hme1TestData.FileKey;

    internal static byte[] Encrypt(byte[] plaintext, bool pad, int log2 = 12, bool compress = false, long? paddedLengthForTests = null, byte paddingByte = 0, Hme1Purpose purpose = Hme1Purpose.Content) =>
        Hme1.Encrypt(plaintext, Key, purpose, new Hme1WriterOptions
        {
            Version = Hme1Format.Version2,
            Pad = pad,
            Log2SegmentSize = log2,
            Compress = compress,
            PaddedLengthForTests = paddedLengthForTests,
            PaddingByteForTests = paddingByte,
        });

    [TestCase(0L, 0L)]
    [TestCase(1L, 1L)]
    [TestCase(2L, 2L)]
    [TestCase(9L, 10L)]
    [TestCase(1000L, 1024L)]
    [TestCase(5000L, 5120L)]
    [TestCase(65536L, 65536L)]
    [TestCase(1_000_000L, 1_015_808L)]
    [TestCase(1_073_741_825L, 1_107_296_256L)]
    public void Padme_rounds_to_the_published_buckets(long length, long expected) =>
        Assert.That(Hme1Format.Padme(length), Is.EqualTo(expected));

    [Test]
    public void Padme_never_shrinks_is_idempotent_monotonic_and_costs_at_most_12_percent()
    {
        long previous = 0;
        for (long l = 0; l < 70_000; l++)
        {
            var p = Hme1Format.Padme(l);
            Assert.That(p, Is.GreaterThanOrEqualTo(l));
            Assert.That(p, Is.GreaterThanOrEqualTo(previous));
            Assert.That(Hme1Format.Padme(p), Is.EqualTo(p));
            Assert.That(p - l, Is.LessThanOrEqualTo((l * 12 / 100) + 1));
            previous = p;
        }

        // The point of it: far fewer distinct sizes than lengths.
        var buckets = Enumerable.Range(60_000, 10_000).Select(l => Hme1Format.Padme(l)).Distinct().Count();
        Assert.That(buckets, Is.LessThan(100));
    }

    [TestCase(0, false)]
    [TestCase(1, true)]
    [TestCase(4095, true)]
    [TestCase(4096, true)]
    [TestCase(4097, true)]
    [TestCase(5000, true)]
    [TestCase(12288, false)]
    [TestCase(30000, true)]
    public void Round_trips_with_the_length_rule_of_its_padded_size(int length, bool pad)
    {
        var plaintext = Hme1TestData.Pattern(length);
        var ciphertext = Encrypt(plaintext, pad);
        var padded = pad ? Hme1Format.Padme(length) : length;
        Assert.Multiple(() =>
        {
            Assert.That(ciphertext, Has.Length.EqualTo(Hme1Format.CiphertextLengthV2(padded, 4096)));
            Assert.That(ciphertext[4], Is.EqualTo(2));
            Assert.That(ciphertext[5], Is.EqualTo(pad ? Hme1Format.PaddedFlag : 0));
            Assert.That(Hme1TestData.Decrypt(ciphertext, knownLength: true), Is.EqualTo(plaintext));
            Assert.That(Hme1TestData.Decrypt(ciphertext, knownLength: false, readSize: 7), Is.EqualTo(plaintext));
            Assert.That(Hme1.Decrypt(ciphertext, Key, Hme1Purpose.Content), Is.EqualTo(plaintext));
        });
    }

    [Test]
    public void The_server_sees_only_the_bucket()
    {
        var sizes = Enumerable.Range(4800, 300).Select(l => Encrypt(new byte[l], pad: true).Length).Distinct().ToList();
        Assert.That(sizes, Has.Count.LessThanOrEqualTo(3), "300 plaintext lengths fall into a handful of ciphertext sizes");
    }

    [Test]
    public void Compressed_and_padded_round_trips()
    {
        var text = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("hoomi e2ee two, padded and compressed. ", 2000)));
        var ciphertext = Encrypt(text, pad: true, compress: true);
        Assert.That(ciphertext.Length, Is.LessThan(text.Length / 4));
        Assert.That(Hme1TestData.Decrypt(ciphertext, knownLength: true), Is.EqualTo(text));
        Assert.That(Hme1TestData.Decrypt(ciphertext, knownLength: false), Is.EqualTo(text));
    }

    [Test]
    public void A_padded_stream_is_seekable_within_its_plaintext()
    {
        var plaintext = Hme1TestData.Pattern(50_000);
        var ciphertext = Encrypt(plaintext, pad: true);
        using var decryptor = new Hme1SeekableDecryptor(Key, Hme1Purpose.Content, ciphertext.AsSpan(0, Hme1Format.HeaderLengthV2), ciphertext.Length);
        Assert.That(decryptor.PlaintextLength, Is.EqualTo(50_000));
        foreach (var (offset, count) in new[] { (0L, 10), (4095L, 2), (49_990L, 10), (12_345L, 20_000) })
        {
            var range = decryptor.GetRange(offset, count);
            var slice = ciphertext.AsSpan((int)range.CiphertextOffset, (int)range.CiphertextLength);
            Assert.That(decryptor.Decrypt(offset, count, slice), Is.EqualTo(plaintext.AsSpan((int)offset, count).ToArray()), $"{offset}+{count}");
        }

        Assert.That(() => decryptor.GetRange(49_995, 10), Throws.InstanceOf<ArgumentOutOfRangeException>(), "the padding is not plaintext");
    }

    [TestCase(1, 0)]
    [TestCase(1, 4096 * 63)]
    [TestCase(2, 4096 * 300)]
    [TestCase(2, (4096 * 300) + 7)]
    [TestCase(4, (4096 * 1000) + 1)]
    public void Sealing_on_several_cores_gives_the_same_bytes_and_reads_back_on_several_cores(int version, int length)
    {
        var plaintext = Hme1TestData.Pattern(length);
        byte[] Write(int parallelism) => Hme1.Encrypt(plaintext, Key, Hme1Purpose.Content, new Hme1WriterOptions
        {
            Version = version == 1 ? 1 : 2, Pad = version != 1, Log2SegmentSize = 12, Parallelism = parallelism, Salt = Enumerable.Repeat((byte)7, 32).ToArray(),
        });
        var sequential = Write(1);
        var parallel = Write(4);
        Assert.That(parallel, Is.EqualTo(sequential), "segments are independent: the order and bytes do not depend on the cores");
        foreach (var cores in new[] { 1, 2, 8 })
        {
            using var reader = new Hme1DecryptingStream(new MemoryStream(parallel), Key, Hme1Purpose.Content, parallel.Length, parallelism: cores);
            using var output = new MemoryStream();
            reader.CopyTo(output, 5000);
            Assert.That(output.ToArray(), Is.EqualTo(plaintext), $"{cores} cores");
        }
    }

    [Test]
    public void A_bad_segment_in_a_parallel_batch_releases_nothing_of_the_batch()
    {
        var plaintext = Hme1TestData.Pattern(4096 * 40);
        var ciphertext = Encrypt(plaintext, pad: false);
        ciphertext[96 + (5 * 4112) + 3] ^= 1; // segment 5, inside the first 1 MiB batch
        using var reader = new Hme1DecryptingStream(new MemoryStream(ciphertext), Key, Hme1Purpose.Content, ciphertext.Length, parallelism: 4);
        var buffer = new byte[4096];
        Assert.That(() => reader.Read(buffer), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.AuthenticationFailed));
        Assert.That(buffer, Is.All.Zero);
    }

    [Test]
    public void The_parallel_writer_holds_at_most_one_batch()
    {
        using var output = new MemoryStream();
        using var writer = new Hme1EncryptingStream(output, Key, Hme1Purpose.Content, new Hme1WriterOptions { Log2SegmentSize = 12, LeaveOpen = true, Parallelism = 4 });
        writer.Write(new byte[4 << 20]);
        Assert.That(output.Length, Is.GreaterThanOrEqualTo((4 << 20) - (1 << 20)), "everything but the last batch is out");
    }

    [Test]
    public void Truncated_padding_is_refused()
    {
        // L = 5000 pads to 5120; this one stops at 5100, and the length rule would still accept the ciphertext length.
        var ciphertext = Encrypt(Hme1TestData.Pattern(5000), pad: true, paddedLengthForTests: 5100);
        Assert.That(Hme1Format.TryPlaintextLength(ciphertext.Length, 4096, Hme1Format.HeaderLengthV2, out _), Is.True);
        Assert.That(() => Hme1TestData.Decrypt(ciphertext, knownLength: true), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.InvalidSealedLength));
        // Without the total length, the sealed length says where the stream must end, and it ends before that.
        Assert.That(() => Hme1TestData.Decrypt(ciphertext, knownLength: false), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.Truncated));

        Assert.That(() => new Hme1SeekableDecryptor(Key, Hme1Purpose.Content, ciphertext.AsSpan(0, 96), ciphertext.Length), Throws.InstanceOf<Hme1Exception>());
    }

    [Test]
    public void Non_zero_padding_is_refused_and_no_padding_byte_is_released()
    {
        var ciphertext = Encrypt(Hme1TestData.Pattern(5000), pad: true, paddingByte: 0x5A);
        Assert.That(() => Hme1TestData.Decrypt(ciphertext, knownLength: true), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.InvalidPadding));
    }

    [Test]
    public void An_edited_sealed_length_is_refused()
    {
        var ciphertext = Encrypt(Hme1TestData.Pattern(3000), pad: false);
        ciphertext[72 + 7] ^= 0x01;
        Assert.That(() => Hme1TestData.Decrypt(ciphertext, knownLength: true), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.InvalidSealedLength));
    }

    [Test]
    public void Clearing_the_padded_flag_breaks_the_commitment()
    {
        var ciphertext = Encrypt(Hme1TestData.Pattern(3000), pad: true);
        ciphertext[5] = 0;
        Assert.That(() => Hme1TestData.Decrypt(ciphertext, knownLength: true), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.CommitmentMismatch));
    }

    [Test]
    public void A_v1_stream_relabelled_as_v2_is_refused()
    {
        var v1 = Hme1TestData.Encrypt(Hme1TestData.Pattern(3000));
        v1[4] = 2;
        Assert.That(() => Hme1TestData.Decrypt(v1, knownLength: true), Throws.InstanceOf<Hme1Exception>());
    }

    [Test]
    public void Truncation_inside_the_padding_is_refused_even_without_a_known_length()
    {
        var ciphertext = Encrypt(Hme1TestData.Pattern(9000), pad: true);
        var cut = ciphertext[..^20];
        Assert.That(() => Hme1TestData.Decrypt(cut, knownLength: false), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.Truncated));
    }

    [Test]
    public void The_writer_refuses_more_or_fewer_bytes_than_it_sealed()
    {
        using var output = new MemoryStream();
        var writer = new Hme1EncryptingStream(output, Key, Hme1Purpose.Content, new Hme1WriterOptions { Version = 2, PlaintextLength = 10, LeaveOpen = true });
        Assert.That(() => writer.Write(new byte[11]), Throws.InvalidOperationException);
        using var short_ = new Hme1EncryptingStream(output, Key, Hme1Purpose.Content, new Hme1WriterOptions { Version = 2, PlaintextLength = 10, LeaveOpen = true });
        short_.Write(new byte[9]);
        Assert.That(() => short_.Complete(), Throws.InvalidOperationException);
        Assert.That(() => new Hme1EncryptingStream(output, Key, Hme1Purpose.Content, new Hme1WriterOptions { Version = 2 }), Throws.ArgumentException, "v2 needs the length up front");
        Assert.That(() => new Hme1EncryptingStream(output, Key, Hme1Purpose.Content, new Hme1WriterOptions { Pad = true }), Throws.ArgumentException, "v1 cannot pad");
    }

    [Test]
    public async Task The_compressed_length_counted_first_matches_what_the_stream_compresses()
    {
        var text = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 30_000).Select(i => $"line {i}\n")));
        using var source = new MemoryStream(text);
        var length = await Hme1.CompressedLengthAsync(source, System.IO.Compression.CompressionLevel.Optimal);
        source.Position = 0;
        using var output = new MemoryStream();
        var writer = new Hme1EncryptingStream(output, Key, Hme1Purpose.Content, new Hme1WriterOptions { Version = 2, Compress = true, PlaintextLength = length, Pad = true, LeaveOpen = true });
        await using (writer)
        {
            await Hme1.CopyInChunksAsync(new NonSeekable(source), writer);
            await writer.CompleteAsync();
        }

        Assert.That(Hme1TestData.Decrypt(output.ToArray(), knownLength: true), Is.EqualTo(text));
    }

    /// <summary>Reads in small pieces, unlike MemoryStream's one-write CopyTo: the chunked copy must make that irrelevant.</summary>
    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1000));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
