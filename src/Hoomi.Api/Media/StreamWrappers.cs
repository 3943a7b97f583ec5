using Hoomi.Application.Common.Exceptions;

namespace Hoomi.Api.Media;

/// <summary>A read-only pass-through stream; subclasses observe or translate what flows through.</summary>
public abstract class ReadOnlyPassThroughStream(Stream inner) : Stream
{
    protected Stream Inner { get; } = inner;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public abstract override int Read(Span<byte> buffer);

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

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

/// <summary>Refuses to read past a limit, so that a small part (metadata) cannot make the server read gigabytes.</summary>
public sealed class LengthLimitedStream(Stream inner, long limit) : ReadOnlyPassThroughStream(inner)
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
