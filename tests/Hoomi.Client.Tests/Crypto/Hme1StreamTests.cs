using System.Security.Cryptography;
using Hoomi.Client.Crypto;

namespace Hoomi.Client.Tests.Crypto;

public class Hme1StreamTests
{
    private const int S = 4096;

    private static readonly long[] Lengths =
    [
        0, 1, 2, 15, 16, 17, S - 17, S - 16, S - 1, S, S + 1, S + 15, S + 16, S + 17, (2 * S) - 1, 2 * S, (2 * S) + 1, 3 * S, (5 * S) + 123,
    ];

    [Test]
    public void Round_trips_for_many_lengths_with_and_without_the_total_length([ValueSource(nameof(Lengths))] long length)
    {
        var plaintext = Hme1TestData.Pattern(length);
        var ciphertext = Hme1TestData.Encrypt(plaintext);
        Assert.That(ciphertext, Has.Length.EqualTo(Hme1Format.CiphertextLength(length, S)));
        Assert.That(Hme1TestData.Decrypt(ciphertext, knownLength: true), Is.EqualTo(plaintext));
        Assert.That(Hme1TestData.Decrypt(ciphertext, knownLength: false), Is.EqualTo(plaintext));
        Assert.That(Hme1TestData.Decrypt(ciphertext, knownLength: false, readSize: 1), Is.EqualTo(plaintext));
    }

    [Test]
    public void Compressed_streams_round_trip_and_shrink_text([ValueSource(nameof(Lengths))] long length)
    {
        var plaintext = Hme1TestData.Pattern(length);
        var ciphertext = Hme1TestData.Encrypt(plaintext, compress: true);
        Assert.That(ciphertext[5], Is.EqualTo(Hme1Format.CompressedFlag));
        Assert.That(Hme1TestData.Decrypt(ciphertext, knownLength: true), Is.EqualTo(plaintext));
        Assert.That(Hme1TestData.Decrypt(ciphertext, knownLength: false), Is.EqualTo(plaintext));
        if (length > 2 * S)
        {
            Assert.That(ciphertext.Length, Is.LessThan(length / 4));
        }
    }

    [Test]
    public async Task Async_writer_and_reader_round_trip_over_a_trickling_stream([Values(false, true)] bool compress, [Values(false, true)] bool knownLength)
    {
        var plaintext = RandomNumberGenerator.GetBytes((3 * S) + 77);
        using var output = new MemoryStream();
        await using (var writer = new Hme1EncryptingStream(output, Hme1TestData.FileKey, Hme1Purpose.Thumbnail, new Hme1WriterOptions { Log2SegmentSize = 12, Compress = compress, LeaveOpen = true }))
        {
            for (var offset = 0; offset < plaintext.Length; offset += 1000)
            {
                await writer.WriteAsync(plaintext.AsMemory(offset, Math.Min(1000, plaintext.Length - offset)));
            }
        }

        Assert.That(await Hme1TestData.DecryptAsync(output.ToArray(), knownLength, Hme1Purpose.Thumbnail), Is.EqualTo(plaintext));
    }

    [Test]
    public void Write_pattern_does_not_change_the_ciphertext()
    {
        var salt = new byte[32];
        var plaintext = Hme1TestData.Pattern((2 * S) + 5);
        var whole = Hme1TestData.Encrypt(plaintext, salt: salt);
        using var output = new MemoryStream();
        using (var writer = new Hme1EncryptingStream(output, Hme1TestData.FileKey, Hme1Purpose.Content, new Hme1WriterOptions { Log2SegmentSize = 12, Salt = salt, LeaveOpen = true }))
        {
            foreach (var b in plaintext)
            {
                writer.WriteByte(b);
            }
        }

        Assert.That(output.ToArray(), Is.EqualTo(whole));
    }

    [Test]
    public void The_default_segment_size_is_64_KiB_and_the_salt_is_fresh()
    {
        var a = Hme1.Encrypt([1], Hme1TestData.FileKey, Hme1Purpose.Content);
        var b = Hme1.Encrypt([1], Hme1TestData.FileKey, Hme1Purpose.Content);
        Assert.That(a[6], Is.EqualTo(16));
        Assert.That(a.AsSpan(8, 32).SequenceEqual(b.AsSpan(8, 32)), Is.False);
        Assert.That(Hme1.Decrypt(a, Hme1TestData.FileKey, Hme1Purpose.Content), Is.EqualTo(new byte[] { 1 }));
    }

    [Test]
    public void The_writer_buffers_at_most_one_segment()
    {
        using var output = new MemoryStream();
        using var writer = new Hme1EncryptingStream(output, Hme1TestData.FileKey, Hme1Purpose.Content, new Hme1WriterOptions { Log2SegmentSize = 12, LeaveOpen = true, Parallelism = 1 });
        writer.Write(new byte[S]);
        Assert.That(output.Length, Is.Zero, "a full segment waits: it may be the last one");
        writer.Write(new byte[1]);
        Assert.That(output.Length, Is.EqualTo(72 + S + 16));
        writer.Write(new byte[S - 1]);
        Assert.That(output.Length, Is.EqualTo(72 + S + 16));
        writer.Complete();
        Assert.That(output.Length, Is.EqualTo(72 + (2 * (S + 16))));
        Assert.That(() => writer.Write(new byte[1]), Throws.InvalidOperationException);
    }

    [Test]
    public void The_header_key_derivation_and_segment_nonces_follow_the_spec()
    {
        // Decrypts by hand from the e2ee.md formulas, independent of the reader.
        var plaintext = Hme1TestData.Pattern(S + 10);
        var ciphertext = Hme1TestData.Encrypt(plaintext, purpose: Hme1Purpose.Thumbnail);
        byte[] info = [.. "hoomi-e2ee-1 thumbnail"u8, 0, .. ciphertext.AsSpan(0, 8)];
        var okm = HKDF.DeriveKey(HashAlgorithmName.SHA256, Hme1TestData.FileKey, 76, ciphertext.AsSpan(8, 32).ToArray(), info);
        Assert.That(ciphertext.AsSpan(40, 32).SequenceEqual(okm.AsSpan(44, 32)), Is.True, "commitment");

        using var aes = new AesGcm(okm.AsSpan(0, 32), 16);
        var nonce0 = okm.AsSpan(32, 12).ToArray();
        var nonce1 = nonce0.ToArray();
        nonce1[10] ^= 1;
        nonce1[11] ^= 1;
        var segment0 = new byte[S];
        var segment1 = new byte[10];
        aes.Decrypt(nonce0, ciphertext.AsSpan(72, S), ciphertext.AsSpan(72 + S, 16), segment0);
        aes.Decrypt(nonce1, ciphertext.AsSpan(72 + S + 16, 10), ciphertext.AsSpan(72 + S + 16 + 10, 16), segment1);
        Assert.That(segment0.Concat(segment1), Is.EqualTo(plaintext));
    }

    [Test]
    public void A_wrong_key_or_purpose_fails_at_the_commitment_before_any_plaintext()
    {
        var ciphertext = Hme1TestData.Encrypt(Hme1TestData.Pattern(100));
        var otherKey = Hme1TestData.FileKey.ToArray();
        otherKey[31] ^= 1;
        using var wrongKey = new Hme1DecryptingStream(new MemoryStream(ciphertext), otherKey, Hme1Purpose.Content);
        Assert.That(wrongKey.ReadHeader, Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.CommitmentMismatch));
        Assert.That(() => Hme1TestData.Decrypt(ciphertext, knownLength: false, Hme1Purpose.Thumbnail), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.CommitmentMismatch));
    }

    [Test]
    public void A_failed_reader_stays_failed_and_releases_nothing_of_the_bad_segment()
    {
        var plaintext = Hme1TestData.Pattern((2 * S) + 10);
        var ciphertext = Hme1TestData.Encrypt(plaintext);
        ciphertext[72 + S + 16 + 5] ^= 1;
        using var reader = new Hme1DecryptingStream(new MemoryStream(ciphertext), Hme1TestData.FileKey, Hme1Purpose.Content);
        var buffer = new byte[3 * S];
        var first = reader.Read(buffer);
        Assert.That(first, Is.EqualTo(S), "segment 0 authenticated");
        Assert.That(() => reader.Read(buffer), Throws.InstanceOf<Hme1Exception>());
        Assert.That(() => reader.Read(buffer), Throws.InstanceOf<Hme1Exception>());
    }

    [Test]
    public void Known_length_mode_reports_truncation_and_trailing_data_precisely()
    {
        var ciphertext = Hme1TestData.Encrypt(Hme1TestData.Pattern((2 * S) + 10));
        using (var truncated = new Hme1DecryptingStream(new MemoryStream(ciphertext[..^1]), Hme1TestData.FileKey, Hme1Purpose.Content, ciphertext.Length))
        {
            Assert.That(() => truncated.CopyTo(Stream.Null), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.Truncated));
        }

        using var extended = new Hme1DecryptingStream(new MemoryStream([.. ciphertext, 0]), Hme1TestData.FileKey, Hme1Purpose.Content, ciphertext.Length);
        Assert.That(() => extended.CopyTo(Stream.Null), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.TrailingData));
    }

    [Test]
    public void A_declared_length_no_plaintext_explains_is_refused_before_decryption()
    {
        var ciphertext = Hme1TestData.Encrypt(Hme1TestData.Pattern(10));
        using var reader = new Hme1DecryptingStream(new MemoryStream(ciphertext), Hme1TestData.FileKey, Hme1Purpose.Content, 72 + 15);
        Assert.That(reader.ReadHeader, Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.InvalidLength));
    }

    [Test]
    public void Reader_exposes_header_and_plaintext_length()
    {
        var ciphertext = Hme1TestData.Encrypt(Hme1TestData.Pattern(5000));
        using var reader = new Hme1DecryptingStream(new MemoryStream(ciphertext), Hme1TestData.FileKey, Hme1Purpose.Content, ciphertext.Length);
        reader.ReadHeader();
        Assert.That(reader.Header!.SegmentSize, Is.EqualTo(S));
        Assert.That(reader.PlaintextLength, Is.EqualTo(5000));
    }

    [Test]
    public void Compressed_plaintext_with_data_after_the_brotli_stream_or_invalid_brotli_is_refused()
    {
        using var compressed = new MemoryStream();
        using (var brotli = new System.IO.Compression.BrotliStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            brotli.Write(Hme1TestData.Pattern(1000));
        }

        var valid = SealCompressedFlagged(compressed.ToArray());
        Assert.That(Hme1TestData.Decrypt(valid, knownLength: false), Is.EqualTo(Hme1TestData.Pattern(1000)), "the hand-built stream itself is fine");

        var trailing = SealCompressedFlagged([.. compressed.ToArray(), 0x42]);
        Assert.That(() => Hme1TestData.Decrypt(trailing, knownLength: true), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.InvalidCompressedData));

        var garbage = SealCompressedFlagged(Hme1TestData.Pattern(300));
        Assert.That(() => Hme1TestData.Decrypt(garbage, knownLength: true), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.InvalidCompressedData));
    }

    /// <summary>Seals bytes as a one-segment stream with the compression flag, bypassing the writer's compressor.</summary>
    private static byte[] SealCompressedFlagged(byte[] payload)
    {
        var header = new byte[72];
        "HME1"u8.CopyTo(header);
        header[4] = 1;
        header[5] = Hme1Format.CompressedFlag;
        header[6] = 12;
        using var cipher = Hme1SegmentCipher.Create(Hme1TestData.FileKey, Hme1Purpose.Content, header, header.AsSpan(40, 32));
        var segment = new byte[payload.Length + 16];
        cipher.Encrypt(0, last: true, payload, segment);
        return [.. header, .. segment];
    }
}
