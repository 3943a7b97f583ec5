namespace Hoomi.Bench;

/// <summary>
/// A deterministic stream of <c>length</c> bytes shaped like HME1 ciphertext (valid header, pseudo-random
/// body), generated on the fly so that the client never holds the file either.
/// </summary>
public sealed class SyntheticCiphertextStream(long length, ulong seed) : Stream
{
    private static readonly byte[] Header = [(byte)'H', (byte)'M', (byte)'E', (byte)'1', 1, 0, 16, 0];
    private ulong _state = seed | 1;
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

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - _position);
        for (var i = 0; i < n; i++)
        {
            var p = _position + i;
            if (p < Header.Length)
            {
                buffer[i] = Header[p];
                continue;
            }

            // xorshift64: cheap, so the generator is never the bottleneck being measured.
            _state ^= _state << 13;
            _state ^= _state >> 7;
            _state ^= _state << 17;
            buffer[i] = (byte)_state;
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
}
