namespace Hoomi.Bench;

/// <summary>
/// A deterministic stream of <c>length</c> bytes shaped like HME1 ciphertext (valid header, pseudo-random
/// body), generated on the fly so that the client never holds the file either. The body repeats a 1 MiB
/// pseudo-random block (rotated by the seed), so producing it costs a memory copy: on a two-core machine the
/// generator must not compete with the server being measured.
/// </summary>
public sealed class SyntheticCiphertextStream(long length, ulong seed) : Stream
{
    private const int PatternLength = 1024 * 1024;
    private static readonly byte[] Header = [(byte)'H', (byte)'M', (byte)'E', (byte)'1', 1, 0, 16, 0];
    private static readonly byte[] Pattern = MakePattern();
    private readonly int _rotation = (int)(seed % PatternLength);
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>The whole stream as an array (for small files).</summary>
    public static byte[] ToArray(long length, ulong seed)
    {
        var bytes = new byte[length];
        using var s = new SyntheticCiphertextStream(length, seed);
        var done = 0;
        while (done < bytes.Length)
        {
            done += s.Read(bytes.AsSpan(done));
        }

        return bytes;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - _position);
        var written = 0;
        while (written < n)
        {
            var p = _position + written;
            if (p < Header.Length)
            {
                buffer[written++] = Header[p];
                continue;
            }

            var at = (int)((p + _rotation) % PatternLength);
            var chunk = Math.Min(n - written, PatternLength - at);
            Pattern.AsSpan(at, chunk).CopyTo(buffer[written..]);
            written += chunk;
        }

        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer, offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private static byte[] MakePattern()
    {
        var pattern = new byte[PatternLength];
        ulong state = 0x9E3779B97F4A7C15;
        for (var i = 0; i < pattern.Length; i++)
        {
            // xorshift64
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            pattern[i] = (byte)state;
        }

        return pattern;
    }
}
