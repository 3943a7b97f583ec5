namespace Hoomi.Client.Crypto;

/// <summary>One-call encryption and decryption of whole <c>HME1</c> buffers, for small items such as thumbnails.</summary>
internal static class Hme1
{
    public static byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> fileKey, Hme1Purpose purpose, Hme1WriterOptions? options = null)
    {
        var settings = WithLeaveOpen(options, plaintext);
        using var output = new MemoryStream();
        using (var writer = new Hme1EncryptingStream(output, fileKey, purpose, settings))
        {
            writer.Write(plaintext);
            writer.Complete();
        }

        return output.ToArray();
    }

    public static byte[] Decrypt(ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> fileKey, Hme1Purpose purpose)
    {
        using var input = new MemoryStream(ciphertext.ToArray(), writable: false);
        using var reader = new Hme1DecryptingStream(input, fileKey, purpose, ciphertext.Length);
        using var output = new MemoryStream();
        reader.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>
    /// The number of bytes Brotli at <paramref name="level"/> makes of <paramref name="source"/> (read to its end), fed in
    /// 64 KiB writes as the SDK's uploads feed the encrypting stream: what a compressed version-2 stream must declare.
    /// </summary>
    public static async Task<long> CompressedLengthAsync(Stream source, System.IO.Compression.CompressionLevel level, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var counter = new CountingStream();
        var brotli = new System.IO.Compression.BrotliStream(counter, level, leaveOpen: true);
        await using (brotli.ConfigureAwait(false))
        {
            await CopyInChunksAsync(source, brotli, cancellationToken).ConfigureAwait(false);
        }

        return counter.Count;
    }

    /// <summary>
    /// Copies in writes of exactly 64 KiB (the last one shorter). Brotli's output depends on how its input is cut, so a
    /// compressed stream whose length was counted first must be fed the same way: both go through here.
    /// </summary>
    public static Task CopyInChunksAsync(Stream source, Stream destination, CancellationToken cancellationToken = default) =>
        CopyInChunksAsync(source, destination, 1 << 16, cancellationToken);

    /// <summary>As above in writes of <paramref name="chunk"/> bytes: 1 MiB lets an uncompressed stream seal whole segments straight from the buffer.</summary>
    public static async Task CopyInChunksAsync(Stream source, Stream destination, int chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(chunk);
        try
        {
            while (true)
            {
                var filled = 0;
                int n;
                while (filled < chunk && (n = await source.ReadAsync(buffer.AsMemory(filled, chunk - filled), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    filled += n;
                }

                if (filled == 0)
                {
                    return;
                }

                await destination.WriteAsync(buffer.AsMemory(0, filled), cancellationToken).ConfigureAwait(false);
                if (filled < chunk)
                {
                    return;
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static long CompressedLength(ReadOnlySpan<byte> plaintext, System.IO.Compression.CompressionLevel level)
    {
        var counter = new CountingStream();
        using (var brotli = new System.IO.Compression.BrotliStream(counter, level, leaveOpen: true))
        {
            brotli.Write(plaintext);
        }

        return counter.Count;
    }

    private static Hme1WriterOptions WithLeaveOpen(Hme1WriterOptions? options, ReadOnlySpan<byte> plaintext)
    {
        var compress = options?.Compress ?? false;
        var level = options?.CompressionLevel ?? System.IO.Compression.CompressionLevel.Optimal;
        var version = options?.Version ?? Hme1Format.Version;
        return new()
        {
            Log2SegmentSize = options?.Log2SegmentSize ?? Hme1Format.DefaultLog2SegmentSize,
            Compress = compress,
            CompressionLevel = level,
            Salt = options?.Salt,
            Version = version,
            Pad = options?.Pad ?? false,
            PaddedLengthForTests = options?.PaddedLengthForTests,
            PaddingByteForTests = options?.PaddingByteForTests ?? 0,
            PlaintextLength = version == Hme1Format.Version2
                ? options?.PlaintextLength ?? (compress ? CompressedLength(plaintext, level) : plaintext.Length)
                : null,
            LeaveOpen = true,
        };
    }

    /// <summary>A write-only sink that counts bytes.</summary>
    private sealed class CountingStream : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Count;

        public override long Position
        {
            get => Count;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Count += count;

        public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;
    }
}
