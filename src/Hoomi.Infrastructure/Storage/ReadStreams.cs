using Hoomi.Application.Common.IO;

namespace Hoomi.Infrastructure.Storage;

/// <summary>
/// A read-only view of the next <c>length</c> bytes of an inner stream that truncates: reads end (return 0) at the
/// length, whatever follows (compare the Api's <c>ThrowPastLimitStream</c>, which refuses a body past its limit).
/// Owns the inner stream.
/// </summary>
internal sealed class TruncatingReadStream(Stream inner, long length) : ReadOnlyPassThroughStream(inner)
{
    private readonly long _length = length;
    private long _remaining = length;

    public override long Length => _length;

    public override long Position => _length - _remaining;

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0)
        {
            return 0;
        }

        var n = Inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining <= 0)
        {
            return 0;
        }

        var n = await Inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        _remaining -= n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await Inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// Forwards reads to an inner stream, maps its failures with <c>mapError</c>, and disposes extra
/// resources (an HTTP response, a background download) together with it.
/// </summary>
internal sealed class OwningReadStream(Stream inner, Func<Exception, Exception?> mapError, Action onDispose) : ReadOnlyPassThroughStream(inner)
{
    private int _disposed;

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Inner.Read(buffer);
        }
        catch (Exception e) when (mapError(e) is { } mapped && !ReferenceEquals(mapped, e))
        {
            throw mapped;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (mapError(e) is { } mapped && !ReferenceEquals(mapped, e))
        {
            throw mapped;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Inner.Dispose();
            onDispose();
        }

        base.Dispose(disposing);
    }
}
