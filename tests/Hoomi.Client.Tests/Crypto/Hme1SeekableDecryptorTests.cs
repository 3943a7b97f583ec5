using Hoomi.Client.Crypto;

namespace Hoomi.Client.Tests.Crypto;

public class Hme1SeekableDecryptorTests
{
    private const int S = 4096;

    [TestCase(0L, 1)]
    [TestCase(0L, 100)]
    [TestCase(4095L, 1)]
    [TestCase(4095L, 2)]
    [TestCase(4096L, 4096)]
    [TestCase(100L, 3 * S)]
    [TestCase((4L * S) + 50, 73)]
    [TestCase((4L * S) + 122, 1)]
    [TestCase(0L, (4 * S) + 123)]
    public void A_plaintext_range_is_served_from_exactly_the_covering_segments(long offset, int count)
    {
        var plaintext = Hme1TestData.Pattern((4 * S) + 123);
        var ciphertext = Hme1TestData.Encrypt(plaintext);
        using var decryptor = new Hme1SeekableDecryptor(Hme1TestData.FileKey, Hme1Purpose.Content, ciphertext.AsSpan(0, 72), ciphertext.Length);
        var range = decryptor.GetRange(offset, count);

        var firstSegment = offset / S;
        var lastSegment = (offset + count - 1) / S;
        Assert.That(range.FirstSegment, Is.EqualTo(firstSegment));
        Assert.That(range.SegmentCount, Is.EqualTo(lastSegment - firstSegment + 1));
        Assert.That(range.CiphertextOffset, Is.EqualTo(72 + (firstSegment * (S + 16))));
        Assert.That(range.HttpRange, Is.EqualTo($"bytes={range.CiphertextOffset}-{range.CiphertextOffset + range.CiphertextLength - 1}"));
        Assert.That(range.IncludesLastSegment, Is.EqualTo(lastSegment == 4));

        var slice = ciphertext.AsSpan((int)range.CiphertextOffset, (int)range.CiphertextLength);
        Assert.That(decryptor.Decrypt(offset, count, slice), Is.EqualTo(plaintext.AsSpan((int)offset, count).ToArray()));
    }

    [Test]
    public void Segments_from_the_wrong_position_are_refused()
    {
        var ciphertext = Hme1TestData.Encrypt(Hme1TestData.Pattern(4 * S));
        using var decryptor = new Hme1SeekableDecryptor(Hme1TestData.FileKey, Hme1Purpose.Content, ciphertext.AsSpan(0, 72), ciphertext.Length);
        var range = decryptor.GetRange(S, 10);
        var wrongSlice = ciphertext.AsSpan((int)range.CiphertextOffset + S + 16, (int)range.CiphertextLength).ToArray();
        Assert.That(() => decryptor.Decrypt(S, 10, wrongSlice), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.AuthenticationFailed));
    }

    [Test]
    public void A_truncated_file_cannot_pass_as_a_shorter_one()
    {
        // Dropping the last segment leaves a valid length, but the new final segment was not sealed as last.
        var ciphertext = Hme1TestData.Encrypt(Hme1TestData.Pattern((2 * S) + 1));
        var truncatedLength = 72 + (2 * (S + 16));
        using var decryptor = new Hme1SeekableDecryptor(Hme1TestData.FileKey, Hme1Purpose.Content, ciphertext.AsSpan(0, 72), truncatedLength);
        var range = decryptor.GetRange(S, 1);
        var slice = ciphertext.AsSpan((int)range.CiphertextOffset, (int)range.CiphertextLength).ToArray();
        Assert.That(() => decryptor.Decrypt(S, 1, slice), Throws.InstanceOf<Hme1Exception>());
    }

    [Test]
    public void Compressed_streams_wrong_keys_and_impossible_lengths_are_refused()
    {
        var compressed = Hme1TestData.Encrypt(Hme1TestData.Pattern(100), compress: true);
        var plain = Hme1TestData.Encrypt(Hme1TestData.Pattern(100));
        var otherKey = new byte[32];
        Assert.That(() => new Hme1SeekableDecryptor(Hme1TestData.FileKey, Hme1Purpose.Content, compressed.AsSpan(0, 72), compressed.Length), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.NotSeekable));
        Assert.That(() => new Hme1SeekableDecryptor(otherKey, Hme1Purpose.Content, plain.AsSpan(0, 72), plain.Length), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.CommitmentMismatch));
        Assert.That(() => new Hme1SeekableDecryptor(Hme1TestData.FileKey, Hme1Purpose.Content, plain.AsSpan(0, 72), 72 + 5), Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(Hme1Error.InvalidLength));
    }

    [Test]
    public void Ranges_beyond_the_plaintext_are_refused()
    {
        var plain = Hme1TestData.Encrypt(Hme1TestData.Pattern(100));
        using var decryptor = new Hme1SeekableDecryptor(Hme1TestData.FileKey, Hme1Purpose.Content, plain.AsSpan(0, 72), plain.Length);
        Assert.That(() => decryptor.GetRange(50, 51), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => decryptor.GetRange(-1, 1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
