namespace Hoomi.Client.Crypto;

/// <summary>
/// Random access into an uncompressed <c>HME1</c> stream, for HTTP Range downloads: from the header (fetched once)
/// and the total ciphertext length it plans which ciphertext bytes to request for a plaintext range, then decrypts them.
/// The segment whose end is the end of the file is the last one, so truncation cannot pass as a shorter file.
/// </summary>
internal sealed class Hme1SeekableDecryptor : IDisposable
{
    private readonly Hme1SegmentCipher _cipher;

    public Hme1SeekableDecryptor(ReadOnlySpan<byte> fileKey, Hme1Purpose purpose, ReadOnlySpan<byte> header, long ciphertextLength)
    {
        Header = Hme1Format.ParseHeader(header);
        if (Header.IsCompressed)
        {
            throw Hme1Format.Fail(Hme1Error.NotSeekable);
        }

        if (!Hme1Format.TryPlaintextLength(ciphertextLength, Header.SegmentSize, Header.Length, out var segmented))
        {
            throw Hme1Format.Fail(Hme1Error.InvalidLength);
        }

        CiphertextLength = ciphertextLength;
        SegmentedLength = segmented;
        PlaintextLength = segmented;
        _cipher = Hme1SegmentCipher.CreateVerified(fileKey, purpose, header);
        if (Header.Version == Hme1Format.Version2)
        {
            var length = _cipher.OpenLength(header);
            if ((Header.IsPadded ? Hme1Format.Padme(length) : length) != segmented)
            {
                _cipher.Dispose();
                throw Hme1Format.Fail(Hme1Error.InvalidSealedLength);
            }

            PlaintextLength = length;
        }
    }

    /// <summary>The length the segments carry: the plaintext plus, in a padded version-2 stream, its padding.</summary>
    public long SegmentedLength { get; }

    public Hme1Header Header { get; }

    public long CiphertextLength { get; }

    public long PlaintextLength { get; }

    public int SegmentSize => Header.SegmentSize;

    /// <summary>The covering segments of plaintext [offset, offset + count) and the ciphertext bytes to fetch.</summary>
    public Hme1SegmentRange GetRange(long plaintextOffset, long count) =>
        Hme1Format.CoveringSegments(Header, CiphertextLength, SegmentedLength, PlaintextLength, plaintextOffset, count);

    /// <summary>
    /// Decrypts the segments of <paramref name="range"/> from exactly its ciphertext bytes into <paramref name="plaintext"/>
    /// (which receives the plaintext from <see cref="Hme1SegmentRange.PlaintextOffset"/> on); returns the bytes written.
    /// </summary>
    public int DecryptSegments(Hme1SegmentRange range, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        if (ciphertext.Length != range.CiphertextLength)
        {
            throw new ArgumentException("The ciphertext must be exactly the bytes of the range.", nameof(ciphertext));
        }

        var segmentCount = Hme1Format.SegmentCount(SegmentedLength, SegmentSize);
        var stride = SegmentSize + Hme1Format.TagLength;
        var written = 0;
        for (var i = 0L; i < range.SegmentCount; i++)
        {
            var index = range.FirstSegment + i;
            var segment = ciphertext[(int)(i * stride)..];
            if (segment.Length > stride)
            {
                segment = segment[..stride];
            }

            var length = segment.Length - Hme1Format.TagLength;
            _cipher.Decrypt(index, index == segmentCount - 1, segment, plaintext.Slice(written, length));
            written += length;
        }

        return written;
    }

    /// <summary>Decrypts the covering segments and returns exactly plaintext bytes [offset, offset + count).</summary>
    public byte[] Decrypt(long plaintextOffset, int count, ReadOnlySpan<byte> rangeCiphertext)
    {
        var range = GetRange(plaintextOffset, count);
        var plain = new byte[range.CiphertextLength - (range.SegmentCount * Hme1Format.TagLength)];
        try
        {
            DecryptSegments(range, rangeCiphertext, plain);
            return plain.AsSpan((int)(plaintextOffset - range.PlaintextOffset), count).ToArray();
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(plain);
        }
    }

    public void Dispose() => _cipher.Dispose();
}
