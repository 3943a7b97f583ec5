using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Media.Commands.UploadMedia;
using Hoomi.Domain.Media;

namespace Hoomi.Application.Tests.Media.Commands.UploadMedia;

public sealed class CiphertextCheckStreamTests
{
    private const int S = 4096;

    private static byte[] Header(byte version = 1, byte flags = 0, byte log2 = 12, byte reserved = 0) =>
        [0x48, 0x4D, 0x45, 0x31, version, flags, log2, reserved];

    /// <summary>A stream of a plaintext of <paramref name="plaintextLength"/> bytes: real header fields, arbitrary body.</summary>
    private static byte[] Ciphertext(long plaintextLength, byte[]? header = null)
    {
        var bytes = new byte[Hme1Format.CiphertextLength(plaintextLength, S)];
        new Random(42).NextBytes(bytes);
        (header ?? Header()).CopyTo(bytes, 0);
        return bytes;
    }

    private static CiphertextCheckStream Check(byte[] content, long declaredSize, string part = "file") =>
        new(new MemoryStream(content), declaredSize, part);

    private static int ReadOne(Stream stream) => stream.Read(new byte[1], 0, 1);

    private static void AssertRefusedOn(ValidationException error, string part) =>
        Assert.That(error.Errors.Keys, Is.EqualTo(new[] { part }));

    [TestCase(0L)]
    [TestCase(1L)]
    [TestCase(S)]
    [TestCase(S + 1L)]
    [TestCase((3L * S) + 2)]
    public void A_valid_stream_passes_through_unchanged(long plaintextLength)
    {
        var content = Ciphertext(plaintextLength);
        using var copy = new MemoryStream();
        using var check = Check(content, content.Length);

        check.CopyTo(copy);

        Assert.That(copy.ToArray(), Is.EqualTo(content));
    }

    [Test]
    public async Task A_valid_stream_passes_through_unchanged_when_read_asynchronously_in_odd_chunks()
    {
        var content = Ciphertext(10_000);
        using var check = Check(content, content.Length);
        using var copy = new MemoryStream();
        var buffer = new byte[7];
        int n;
        while ((n = await check.ReadAsync(buffer.AsMemory(0, buffer.Length))) > 0)
        {
            copy.Write(buffer, 0, n);
        }

        Assert.That(copy.ToArray(), Is.EqualTo(content));
    }

    [Test]
    public void A_valid_stream_read_one_byte_at_a_time_is_accepted_to_the_end()
    {
        var content = Ciphertext(100);
        using var check = Check(content, content.Length);
        var read = new List<byte>();
        var one = new byte[1];
        while (check.Read(one, 0, 1) == 1)
        {
            read.Add(one[0]);
        }

        Assert.That(read, Is.EqualTo(content));
    }

    public static IEnumerable<TestCaseData> BadHeaders()
    {
        yield return new TestCaseData((byte[])[(byte)'H', (byte)'M', (byte)'E', (byte)'2', 1, 0, 12, 0]).SetName("A_wrong_magic_is_refused_at_the_eighth_byte");
        yield return new TestCaseData(Header(version: 3)).SetName("A_wrong_version_is_refused_at_the_eighth_byte");
        yield return new TestCaseData(Header(version: 2, flags: 4)).SetName("An_unknown_version_2_flag_is_refused_at_the_eighth_byte");
        yield return new TestCaseData(Header(flags: 2)).SetName("An_unknown_flag_is_refused_at_the_eighth_byte");
        yield return new TestCaseData(Header(log2: 11)).SetName("A_segment_size_below_range_is_refused_at_the_eighth_byte");
        yield return new TestCaseData(Header(log2: 25)).SetName("A_segment_size_above_range_is_refused_at_the_eighth_byte");
        yield return new TestCaseData(Header(reserved: 1)).SetName("A_non_zero_reserved_byte_is_refused_at_the_eighth_byte");
    }

    [TestCaseSource(nameof(BadHeaders))]
    public void A_bad_header_read_one_byte_at_a_time_is_refused_exactly_at_the_eighth_byte(byte[] header)
    {
        var content = Ciphertext(1000, header);
        using var check = Check(content, content.Length);
        for (var i = 0; i < 7; i++)
        {
            Assert.That(ReadOne(check), Is.EqualTo(1), $"byte {i} is read before the header is complete");
        }

        AssertRefusedOn(Assert.Throws<ValidationException>(() => ReadOne(check))!, "file");
    }

    [TestCaseSource(nameof(BadHeaders))]
    public void A_bad_header_is_refused_on_the_first_read_that_completes_it(byte[] header)
    {
        var content = Ciphertext(1000, header);
        using var check = Check(content, content.Length);
        var read = -1;
        Assert.ThrowsAsync<ValidationException>(async () => read = await check.ReadAsync(new byte[8192]));
        Assert.That(read, Is.EqualTo(-1), "no byte count comes back");
    }

    [Test]
    public void A_declared_size_that_no_plaintext_length_explains_is_refused_at_the_eighth_byte()
    {
        // Two full segments and an empty last one: 72 + 2 * (S + 16) + 16.
        var declared = 72 + (2L * (S + 16)) + 16;
        var content = Ciphertext(2L * S);
        using var check = Check([.. content, .. new byte[16]], declared);
        for (var i = 0; i < 7; i++)
        {
            ReadOne(check);
        }

        var error = Assert.Throws<ValidationException>(() => ReadOne(check))!;
        Assert.Multiple(() =>
        {
            AssertRefusedOn(error, "file");
            Assert.That(error.Errors["file"][0], Does.Contain(declared.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public void The_declared_size_is_judged_with_the_segment_size_of_the_header()
    {
        // One segment of 4100 bytes with S = 2^16; with S = 2^12 that would leave a last segment of 4 bytes, shorter than a tag.
        var declared = 72 + 4100 + 16L;
        Assert.That(Hme1Format.IsValidLength(declared, S), Is.False, "precondition");
        var content = new byte[declared];
        Header(log2: 16).CopyTo(content, 0);
        using (var check = Check(content, declared))
        {
            Assert.DoesNotThrow(() => check.CopyTo(Stream.Null));
        }

        Header(log2: 12).CopyTo(content, 0);
        using var small = Check(content, declared);
        Assert.Throws<ValidationException>(() => small.CopyTo(Stream.Null));
    }

    [Test]
    public void A_stream_longer_than_declared_is_refused_at_the_first_extra_byte()
    {
        var content = Ciphertext(1000);
        using var check = Check([.. content, 0x00, 0x00], content.Length);
        for (var i = 0; i < content.Length; i++)
        {
            if (ReadOne(check) != 1)
            {
                Assert.Fail($"byte {i} of the declared length could not be read");
            }
        }

        var error = Assert.Throws<UnprocessableContentException>(() => ReadOne(check))!;
        Assert.That(error.Code, Is.EqualTo("size-mismatch"));
    }

    [Test]
    public void A_stream_longer_than_declared_is_refused_when_read_in_large_chunks()
    {
        var content = Ciphertext(1000);
        using var check = Check([.. content, 0x00], content.Length);
        var error = Assert.Throws<UnprocessableContentException>(() => check.CopyTo(Stream.Null))!;
        Assert.That(error.Code, Is.EqualTo("size-mismatch"));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(7)]
    public void A_stream_too_short_for_the_header_is_refused_when_it_ends(int length)
    {
        using var check = Check(Header()[..length], 88);
        for (var i = 0; i < length; i++)
        {
            ReadOne(check);
        }

        AssertRefusedOn(Assert.Throws<ValidationException>(() => ReadOne(check))!, "file");
    }

    [Test]
    public void A_stream_too_short_for_the_header_is_refused_by_an_asynchronous_copy()
    {
        using var check = Check(Header()[..5], 88);
        Assert.ThrowsAsync<ValidationException>(async () => await check.CopyToAsync(Stream.Null));
    }

    [Test]
    public void Refusals_name_the_part_being_read()
    {
        using var check = Check(Header(version: 9), 88, "thumbnail");
        AssertRefusedOn(Assert.Throws<ValidationException>(() => check.CopyTo(Stream.Null))!, "thumbnail");
    }

    [Test]
    public void The_stream_is_read_only_and_forward_only()
    {
        using var check = Check(Ciphertext(0), 88);
        Assert.Multiple(() =>
        {
            Assert.That(check.CanRead, Is.True);
            Assert.That(check.CanSeek, Is.False);
            Assert.That(check.CanWrite, Is.False);
            Assert.Throws<NotSupportedException>(() => _ = check.Length);
            Assert.Throws<NotSupportedException>(() => check.Position = 0);
            Assert.Throws<NotSupportedException>(() => check.Seek(0, SeekOrigin.Begin));
            Assert.Throws<NotSupportedException>(() => check.Write([1], 0, 1));
        });
    }

    // Stream version 2 (hoomi-e2ee-2): 96-byte header, padded flag, length rule 96 + P + 16 * max(1, ceil(P / S)).

    private static byte[] CiphertextV2(long paddedLength, byte flags = 0x03)
    {
        var bytes = new byte[Hme1Format.CiphertextLength(paddedLength, S, Hme1Format.HeaderLengthV2)];
        new Random(7).NextBytes(bytes);
        Header(version: 2, flags: flags).CopyTo(bytes, 0);
        return bytes;
    }

    [TestCase(0L)]
    [TestCase(1L)]
    [TestCase(S)]
    [TestCase((2L * S) + 5)]
    public void A_valid_version_2_stream_passes_through_and_its_96_byte_header_is_kept(long paddedLength)
    {
        var content = CiphertextV2(paddedLength);
        using var check = Check(content, content.Length);
        using var copy = new MemoryStream();

        check.CopyTo(copy);

        Assert.Multiple(() =>
        {
            Assert.That(copy.ToArray(), Is.EqualTo(content));
            Assert.That(check.Header, Is.EqualTo(content[..96]));
        });
    }

    [Test]
    public void A_version_1_stream_keeps_its_72_byte_header_even_read_one_byte_at_a_time()
    {
        var content = Ciphertext(100);
        using var check = Check(content, content.Length);
        for (var i = 0; i < 71; i++)
        {
            ReadOne(check);
        }

        Assert.That(check.Header, Is.Null, "not before the whole header is read");
        ReadOne(check);
        Assert.That(check.Header, Is.EqualTo(content[..72]));
    }

    [Test]
    public void A_version_2_header_split_over_odd_reads_is_kept_whole()
    {
        var content = CiphertextV2(3000);
        using var check = Check(content, content.Length);
        var buffer = new byte[5];
        while (check.Read(buffer, 0, buffer.Length) > 0)
        {
        }

        Assert.That(check.Header, Is.EqualTo(content[..96]));
    }

    [Test]
    public void A_version_2_stream_of_a_length_only_the_version_1_rule_explains_is_refused_at_the_eighth_byte()
    {
        // 96 + (S + 16) + 16 is one full segment and an empty last one after a 96-byte header (invalid),
        // but a full segment and one of 24 bytes after a 72-byte header (valid).
        var content = new byte[96 + S + 16 + 16];
        Header(version: 2).CopyTo(content, 0);
        Assert.Multiple(() =>
        {
            Assert.That(Hme1Format.IsValidLength(content.Length, S, Hme1Format.HeaderLengthV2), Is.False, "precondition");
            Assert.That(Hme1Format.IsValidLength(content.Length, S), Is.True, "precondition");
        });
        using var check = Check(content, content.Length);
        for (var i = 0; i < 7; i++)
        {
            ReadOne(check);
        }

        AssertRefusedOn(Assert.Throws<ValidationException>(() => ReadOne(check))!, "file");
    }

    [Test]
    public void A_version_1_stream_with_the_padded_flag_is_refused()
    {
        var content = Ciphertext(1000, Header(flags: Hme1Format.PaddedFlag));
        using var check = Check(content, content.Length);
        AssertRefusedOn(Assert.Throws<ValidationException>(() => check.CopyTo(Stream.Null))!, "file");
    }
}
