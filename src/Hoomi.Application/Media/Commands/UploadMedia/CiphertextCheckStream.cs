using Hoomi.Application.Common.Exceptions;
using Hoomi.Domain.Media;

namespace Hoomi.Application.Media.Commands.UploadMedia;

/// <summary>
/// A read-through view of an uploaded ciphertext that refuses it as early as possible: a bad HME1 header
/// or a length the header cannot explain after 8 bytes, a body longer than declared at the first extra byte.
/// The blob store reading it then fails and keeps nothing.
/// </summary>
internal sealed class CiphertextCheckStream(Stream inner, long declaredSize, string part) : Stream
{
    private readonly byte[] _head = new byte[Hme1Format.FixedHeaderLength];
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

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

    private void Observe(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IsEmpty)
        {
            if (_read < Hme1Format.FixedHeaderLength)
            {
                throw ValidationException.For(part, $"The {part} part is not an HME1 ciphertext (too short for its header).");
            }

            return;
        }

        if (_read < Hme1Format.FixedHeaderLength)
        {
            var take = (int)Math.Min(chunk.Length, Hme1Format.FixedHeaderLength - _read);
            chunk[..take].CopyTo(_head.AsSpan((int)_read));
            if (_read + take == Hme1Format.FixedHeaderLength)
            {
                CheckHeader();
            }
        }

        _read += chunk.Length;
        if (_read > declaredSize)
        {
            throw new UnprocessableContentException("size-mismatch", $"The {part} part is longer than the declared {declaredSize} bytes.");
        }
    }

    private void CheckHeader()
    {
        var segmentSize = Hme1Format.TryReadSegmentSize(_head, out var problem)
            ?? throw ValidationException.For(part, problem!);
        if (!Hme1Format.IsValidLength(declaredSize, segmentSize))
        {
            throw ValidationException.For(part, $"No plaintext length gives {declaredSize} ciphertext bytes with segments of {segmentSize} bytes.");
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
