namespace Hoomi.Client.Transfer;

/// <summary>
/// Passes on only bytes [offset, offset + count) of what is written to it. A range of a compressed stream cannot be
/// fetched by itself (e2ee.md), so the whole plaintext is decrypted, and verified to its end, through this filter.
/// </summary>
internal sealed class SliceWriteStream(Stream inner, long offset, long count) : Stream
{
    private long _position;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset1, int count1) => Write(buffer.AsSpan(offset1, count1));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var (start, length) = Window(buffer.Length);
        _position += buffer.Length;
        if (length > 0)
        {
            inner.Write(buffer.Slice(start, length));
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset1, int count1, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset1, count1), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var (start, length) = Window(buffer.Length);
        _position += buffer.Length;
        if (length > 0)
        {
            await inner.WriteAsync(buffer.Slice(start, length), cancellationToken).ConfigureAwait(false);
        }
    }

    private (int Start, int Length) Window(int bufferLength)
    {
        var from = Math.Max(_position, offset);
        var to = Math.Min(_position + bufferLength, offset + count);
        return to <= from ? (0, 0) : ((int)(from - _position), (int)(to - from));
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset1, int count1) => throw new NotSupportedException();

    public override long Seek(long offset1, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
