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
