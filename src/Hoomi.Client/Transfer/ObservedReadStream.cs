using System.Security.Cryptography;

namespace Hoomi.Client.Transfer;

/// <summary>
/// A read-only pass-through that reports progress and, optionally, hashes what it reads (a download checks the
/// ciphertext against the media's declared SHA-256 as well as each segment's tag) and refuses the stream as soon as its
/// first bytes differ from <paramref name="expectedPrefix"/> (the header a sender signed), before anything past it is read.
/// </summary>
internal sealed class ObservedReadStream(Stream inner, Action<long>? onRead, bool hash = false, bool leaveOpen = true, byte[]? expectedPrefix = null) : Stream
{
    private readonly IncrementalHash? _hash = hash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;

    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public string HashHex() => Convert.ToHexStringLower((_hash ?? throw new InvalidOperationException("Not hashing.")).GetHashAndReset());

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Observe(buffer[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..n]);
        return n;
    }

    private void Observe(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (expectedPrefix is not null && BytesRead < expectedPrefix.Length)
        {
            var n = (int)Math.Min(data.Length, expectedPrefix.Length - BytesRead);
            if (!data[..n].SequenceEqual(expectedPrefix.AsSpan((int)BytesRead, n)))
            {
                throw new Trust.HoomiTrustException(Trust.TrustFailure.ContentMismatch, "The downloaded content does not begin with the header its sender signed: refused.");
            }
        }

        _hash?.AppendData(data);
        BytesRead += data.Length;
        onRead?.Invoke(BytesRead);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash?.Dispose();
            if (!leaveOpen)
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
