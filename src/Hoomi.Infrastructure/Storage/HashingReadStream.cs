using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Hoomi.Application.Common.IO;

namespace Hoomi.Infrastructure.Storage;

/// <summary>
/// A read-through wrapper that hashes (SHA-256) and counts what the consumer reads, so an adapter
/// learns size and hash while a cloud client pulls the bytes, without a second pass.
/// It also remembers a failure of the source, so the adapter can rethrow the caller's own error
/// instead of presenting it as a storage outage.
/// </summary>
internal sealed class HashingReadStream(Stream source) : ReadOnlyPassThroughStream(source)
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    public long BytesRead { get; private set; }

    public ExceptionDispatchInfo? SourceFailure { get; private set; }

    public string FinishHash() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void ThrowIfSourceFailed() => SourceFailure?.Throw();

    public override long Position => BytesRead;

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = Inner.Read(buffer);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SourceFailure = ExceptionDispatchInfo.Capture(e);
            throw;
        }

        Account(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try
        {
            n = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
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
