using Hoomi.Client.Crypto;

namespace Hoomi.Client.Tests.Crypto;

/// <summary>
/// Sealing and opening on several cores (batches, segments opened straight into the caller's buffer, the next batch read
/// while one is opened): the same bytes as one core, and every error found at the same point of the stream as one core
/// finds it or earlier, with nothing past that point released.
/// </summary>
public sealed class Hme1ParallelTests
{
    private const int Log2 = 12;
    private const int Segment = 1 << Log2;
    private const int Stride = Segment + 16;
    private static readonly byte[] Key = Hme1TestData.FileKey;
    private static readonly byte[] Salt = Enumerable.Repeat((byte)3, 32).ToArray();

    private static byte[] Seal(byte[] plaintext, int version, int parallelism, int writeSize, bool asMemory, bool pad = false)
    {
        using var output = new MemoryStream();
        using (var writer = new Hme1EncryptingStream(output, Key, Hme1Purpose.Content, new Hme1WriterOptions
        {
            Log2SegmentSize = Log2, Version = version, Pad = pad, PlaintextLength = version == 2 ? plaintext.Length : null, Parallelism = parallelism, Salt = Salt, LeaveOpen = true,
        }))
        {
            for (var offset = 0; offset < plaintext.Length; offset += writeSize)
            {
                var n = Math.Min(writeSize, plaintext.Length - offset);
                if (asMemory)
                {
                    writer.Write(plaintext, offset, n);
                }
                else
                {
                    writer.Write(plaintext.AsSpan(offset, n));
                }
            }

            writer.Complete();
        }

        return output.ToArray();
    }

    /// <summary>Reads in calls of <paramref name="readSize"/> bytes, returning what was released even when a read throws.</summary>
    private static (byte[] Released, Hme1Exception? Error) Open(byte[] ciphertext, int parallelism, int readSize, string how, long? length = -1)
    {
        using var reader = new Hme1DecryptingStream(new MemoryStream(ciphertext), Key, Hme1Purpose.Content, length == -1 ? ciphertext.Length : length, parallelism: parallelism);
        using var released = new MemoryStream();
        var buffer = new byte[readSize];
        try
        {
            while (true)
            {
                var n = how switch
                {
                    "array" => reader.Read(buffer, 0, buffer.Length),
                    "span" => reader.Read(buffer.AsSpan()),
                    _ => reader.ReadAsync(buffer.AsMemory()).AsTask().GetAwaiter().GetResult(),
                };
                if (n == 0)
                {
                    return (released.ToArray(), null);
                }

                released.Write(buffer, 0, n);
            }
        }
        catch (Hme1Exception e)
        {
            return (released.ToArray(), e);
        }
    }

    [TestCase(1, 0)]
    [TestCase(1, 1)]
    [TestCase(1, Segment)]
    [TestCase(1, (Segment * 130) + 1)]
    [TestCase(2, Segment - 1)]
    [TestCase(2, Segment * 64)]
    [TestCase(2, (Segment * 200) + 5)]
    public void Odd_write_and_read_sizes_give_the_same_bytes_on_any_number_of_cores(int version, int length)
    {
        var plaintext = Hme1TestData.Pattern(length);
        var reference = Seal(plaintext, version, parallelism: 1, writeSize: Segment, asMemory: false);
        foreach (var cores in new[] { 1, 2, 3 })
        {
            foreach (var writeSize in new[] { 1, 1000, Segment + 1, (Segment * 3) - 1, 1 << 20 })
            {
                foreach (var asMemory in new[] { true, false })
                {
                    if (writeSize == 1 && length > Segment * 2)
                    {
                        continue; // a byte at a time is covered by the small cases
                    }

                    Assert.That(Seal(plaintext, version, cores, writeSize, asMemory), Is.EqualTo(reference), $"{cores} cores, writes of {writeSize}, memory {asMemory}");
                }
            }

            foreach (var readSize in new[] { 1, 999, Segment, Segment + 17, (Segment * 64) + 3, 1 << 20 })
            {
                foreach (var how in new[] { "array", "span", "async" })
                {
                    if (readSize == 1 && length > Segment * 2)
                    {
                        continue;
                    }

                    var (released, error) = Open(reference, cores, readSize, how);
                    Assert.That(error, Is.Null, $"{cores} cores, reads of {readSize} ({how})");
                    Assert.That(released, Is.EqualTo(plaintext), $"{cores} cores, reads of {readSize} ({how})");
                }
            }
        }
    }

    [Test]
    public void A_padded_stream_reads_back_in_large_reads_on_several_cores()
    {
        var plaintext = Hme1TestData.Pattern((Segment * 150) + 77);
        var ciphertext = Seal(plaintext, 2, 2, 1 << 20, asMemory: true, pad: true);
        Assert.That(ciphertext, Is.EqualTo(Seal(plaintext, 2, 1, 999, asMemory: false, pad: true)));
        foreach (var how in new[] { "array", "span", "async" })
        {
            var (released, error) = Open(ciphertext, 2, 1 << 20, how);
            Assert.That(error, Is.Null, how);
            Assert.That(released, Is.EqualTo(plaintext), how);
        }
    }

    private static IEnumerable<TestCaseData> Damages()
    {
        // 200 segments of 4 KiB: batches of 64 on several cores, so damage in the first, a middle and the last batch.
        foreach (var segment in new[] { 0, 5, 70, 130, 199 })
        {
            yield return new TestCaseData("tamper", segment);
            yield return new TestCaseData("truncate", segment);
            if (segment < 199)
            {
                yield return new TestCaseData("reorder", segment);
            }
        }

        yield return new TestCaseData("drop", 100);
        yield return new TestCaseData("duplicate", 100);
        yield return new TestCaseData("extend", 199);
    }

    [TestCaseSource(nameof(Damages))]
    public void Tampering_truncation_and_reordering_are_found_on_several_cores_where_one_core_finds_them_or_earlier(string damage, int segment)
    {
        foreach (var version in new[] { 1, 2 })
        {
            var plaintext = Hme1TestData.Pattern((Segment * 199) + 1000);
            var good = Seal(plaintext, version, 1, 1 << 20, asMemory: true);
            var header = version == 1 ? 72 : 96;
            var at = header + (segment * Stride);
            var bad = damage switch
            {
                "tamper" => Flip(good, at + 100),
                "truncate" => good[..(at + 10)],
                "reorder" => [.. good[..at], .. good.AsSpan(at + Stride, Stride), .. good.AsSpan(at, Stride), .. good[(at + (2 * Stride))..]],
                "drop" => [.. good[..at], .. good[(at + Stride)..]],
                "duplicate" => [.. good[..(at + Stride)], .. good.AsSpan(at, Stride), .. good[(at + Stride)..]],
                _ => [.. good, 0],
            };

            foreach (var knownLength in new[] { true, false })
            {
                // The total length given is the original one (a download whose body is short or long) or the bad one's.
                long? length = knownLength ? good.Length : null;
                var (sequential, sequentialError) = Open(bad, 1, Segment, "array", length);
                Assert.That(sequentialError, Is.Not.Null, $"{damage} {segment} v{version}: one core refuses it");
                foreach (var cores in new[] { knownLength ? 2 : 3 })
                {
                    foreach (var readSize in new[] { 1000, 1 << 20 })
                    {
                        foreach (var how in new[] { "array", "span", "async" })
                        {
                            var (released, error) = Open(bad, cores, readSize, how, length);
                            var what = $"{damage} {segment} v{version}, {cores} cores, reads of {readSize} ({how}), known length {knownLength}";
                            Assert.That(error, Is.Not.Null, what);
                            Assert.That(released.Length, Is.LessThanOrEqualTo(sequential.Length), what + ": never later than one core");
                            Assert.That(released, Is.EqualTo(plaintext.AsSpan(0, released.Length).ToArray()), what + ": only verified plaintext");
                            if (damage != "extend")
                            {
                                var firstBad = damage == "duplicate" ? segment + 1 : segment;
                                Assert.That(released.Length, Is.LessThanOrEqualTo(firstBad * Segment), what + ": nothing from the damaged segment on");
                            }
                        }
                    }
                }
            }
        }
    }

    [Test]
    public void A_failed_parallel_read_leaves_no_plaintext_in_the_callers_buffer()
    {
        var plaintext = Hme1TestData.Pattern(Segment * 100);
        var bad = Flip(Seal(plaintext, 2, 1, 1 << 20, asMemory: true), 96 + (40 * Stride) + 9);
        using var reader = new Hme1DecryptingStream(new MemoryStream(bad), Key, Hme1Purpose.Content, bad.Length, parallelism: 2);
        var buffer = new byte[1 << 20];
        Assert.That(() => reader.Read(buffer, 0, buffer.Length), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.AuthenticationFailed));
        Assert.That(buffer, Is.All.Zero, "segments of the batch that did open are cleared too");
        Assert.That(() => reader.Read(buffer, 0, buffer.Length), Throws.InstanceOf<Hme1Exception>(), "once refused, always refused");
    }

    [Test]
    public void The_parallel_writer_flushes_the_batch_it_holds_back()
    {
        using var output = new MemoryStream();
        using var writer = new Hme1EncryptingStream(output, Key, Hme1Purpose.Content, new Hme1WriterOptions { Log2SegmentSize = Log2, LeaveOpen = true, Parallelism = 2 });
        var data = Hme1TestData.Pattern(Segment * 200);
        writer.Write(data, 0, data.Length);
        writer.Flush();
        Assert.That(output.Length, Is.EqualTo(72 + (199 * Stride)), "everything but the segment that may still be last");
        writer.Complete();
        Assert.That(Hme1TestData.Decrypt(output.ToArray(), knownLength: true), Is.EqualTo(data));
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = bytes.ToArray();
        copy[at] ^= 0x20;
        return copy;
    }
}
