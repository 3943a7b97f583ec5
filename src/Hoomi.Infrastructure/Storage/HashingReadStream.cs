using System.Runtime.ExceptionServices;
using System.Security.Cryptography;

namespace Hoomi.Infrastructure.Storage;

/// <summary>
/// A read-through wrapper that hashes (SHA-256) and counts what the consumer reads, so an adapter
/// learns size and hash while a cloud client pulls the bytes, without a second pass.
/// It also remembers a failure of the source, so the adapter can rethrow the caller's own error
/// instead of presenting it as a storage outage.
/// </summary>
internal sealed class HashingReadStream(Stream source) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    public long BytesRead { get; private set; }

    public ExceptionDispatchInfo? SourceFailure { get; private set; }

    public string FinishHash() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void ThrowIfSourceFailed() => SourceFailure?.Throw();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = source.Read(buffer);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SourceFailure = ExceptionDispatchInfo.Capture(e);
            throw;
        }

        Account(buffer[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try
        {
            n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SourceFailure = ExceptionDispatchInfo.Capture(e);
            throw;
        }

        Account(buffer.Span[..n]);
        return n;
    }

    private void Account(ReadOnlySpan<byte> data)
    {
        _hash.AppendData(data);
        BytesRead += data.Length;
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
            // The source belongs to the caller of PutAsync.
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
