using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.IO;

namespace Hoomi.Api.Media;

/// <summary>Turns a broken request body (client gone, truncated multipart) into <see cref="UploadInterruptedException"/>.</summary>
public sealed class InterruptionMappingStream(Stream inner) : ReadOnlyPassThroughStream(inner)
{
    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Inner.Read(buffer);
        }
        catch (Exception ex) when (ex is IOException or BadHttpRequestException)
        {
            throw new UploadInterruptedException("The upload body ended before the part was complete.", ex);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or BadHttpRequestException)
        {
            throw new UploadInterruptedException("The upload body ended before the part was complete.", ex);
        }
    }
}

/// <summary>
/// Refuses to read past a limit (413), so that a small part (metadata) cannot make the server read gigabytes; compare
/// the blob store's <c>TruncatingReadStream</c>, which silently ends at its length.
/// </summary>
public sealed class ThrowPastLimitStream(Stream inner, long limit) : ReadOnlyPassThroughStream(inner)
{
    private long _read;

    public override int Read(Span<byte> buffer) => Count(Inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    private int Count(int n)
    {
        _read += n;
        return _read > limit
            ? throw new BadHttpRequestException($"This part is limited to {limit} bytes.", StatusCodes.Status413PayloadTooLarge)
            : n;
    }
}

/// <summary>
/// An upload's request body with an idle timeout: a read that gets no byte for <c>idleTimeout</c> ends the upload with
/// <see cref="UploadTooSlowException"/> (408), however fast it was before; Kestrel's own cut for a body below the minimum
/// data rate (its 408 <see cref="BadHttpRequestException"/>) becomes the same exception. One timer source serves every read.
/// </summary>
public sealed class UploadBodyStream(Stream inner, TimeSpan idleTimeout) : ReadOnlyPassThroughStream(inner)
{
    private CancellationTokenSource? _idle;
    private CancellationToken _linkedTo;

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Inner.Read(buffer);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            throw TooSlow(ex);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (idleTimeout <= TimeSpan.Zero)
        {
            try
            {
                return await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status408RequestTimeout)
            {
                throw TooSlow(ex);
            }
        }

        var idle = IdleSourceFor(cancellationToken);
        idle.CancelAfter(idleTimeout);
        try
        {
            return await Inner.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new UploadTooSlowException($"No upload data arrived for {idleTimeout.TotalSeconds:0.#} s; the upload was cut.", ex);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            throw TooSlow(ex);
        }
        finally
        {
            // Stops the timer for the next read; a source that fired cannot be reused.
            if (!idle.TryReset())
            {
                idle.Dispose();
                _idle = null;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _idle?.Dispose();
            _idle = null;
        }

        base.Dispose(disposing);
    }

    private CancellationTokenSource IdleSourceFor(CancellationToken cancellationToken)
    {
        if (_idle is null || _linkedTo != cancellationToken)
        {
            _idle?.Dispose();
            _idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _linkedTo = cancellationToken;
        }

        return _idle;
    }

    private static UploadTooSlowException TooSlow(Exception inner) =>
        new("The upload arrived more slowly than the server's minimum upload rate; the upload was cut.", inner);
}
