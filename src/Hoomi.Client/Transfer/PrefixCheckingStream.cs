namespace Hoomi.Client.Transfer;

/// <summary>
/// A read-only pass-through that refuses the stream as soon as its first bytes differ from an expected prefix (the
/// signed header of a media item), before any byte past the prefix is handed out.
/// </summary>
internal sealed class PrefixCheckingStream(Stream inner, byte[]? expectedPrefix) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Check(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Check(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void Check(ReadOnlySpan<byte> read)
    {
        if (expectedPrefix is not null && _position < expectedPrefix.Length)
        {
            var n = (int)Math.Min(read.Length, expectedPrefix.Length - _position);
            if (!read[..n].SequenceEqual(expectedPrefix.AsSpan((int)_position, n)))
            {
                throw new Trust.HoomiTrustException(Trust.TrustFailure.ContentMismatch, "The downloaded content does not begin with the header its sender signed: refused.");
            }
        }

        _position += read.Length;
    }
}
