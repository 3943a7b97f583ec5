using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.IO;
using Hoomi.Domain.Media;

namespace Hoomi.Application.Media.Commands.UploadMedia;

/// <summary>
/// A read-through view of an uploaded ciphertext that refuses it as early as possible: a bad HME1 header
/// or a length the header cannot explain after 8 bytes, a body longer than declared at the first extra byte.
/// The blob store reading it then fails and keeps nothing. On the way it keeps the stream's whole header
/// (72 bytes for version 1, 96 for version 2) as <see cref="Header"/>.
/// </summary>
internal sealed class CiphertextCheckStream(Stream inner, long declaredSize, string part) : ReadOnlyPassThroughStream(inner)
{
    private readonly byte[] _head = new byte[Hme1Format.MaxHeaderLength];
    private int _headerLength = Hme1Format.FixedHeaderLength;
    private long _read;

    /// <summary>The stream's whole header once it has been read past it; null before.</summary>
    public byte[]? Header { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        var n = Inner.Read(buffer);
        Observe(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
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

        var offset = 0;
        while (_read + offset < _headerLength && offset < chunk.Length)
        {
            // Header bytes are copied in two steps: the fixed 8 bytes tell how long the whole header is.
            var at = (int)(_read + offset);
            var take = Math.Min(chunk.Length - offset, _headerLength - at);
            chunk.Slice(offset, take).CopyTo(_head.AsSpan(at));
            offset += take;
            if (at + take == Hme1Format.FixedHeaderLength && _headerLength == Hme1Format.FixedHeaderLength)
            {
                _headerLength = CheckHeader();
            }
            else if (at + take == _headerLength)
            {
                Header = _head[.._headerLength];
            }
        }

        _read += chunk.Length;
        if (_read > declaredSize)
        {
            throw new UnprocessableContentException("size-mismatch", $"The {part} part is longer than the declared {declaredSize} bytes.");
        }
    }

    private int CheckHeader()
    {
        var header = Hme1Format.TryReadHeader(_head.AsSpan(0, Hme1Format.FixedHeaderLength), out var problem)
            ?? throw ValidationException.For(part, problem!);
        if (!Hme1Format.IsValidLength(declaredSize, header.SegmentSize, header.HeaderLength))
        {
            throw ValidationException.For(
                part,
                $"No plaintext length gives {declaredSize} ciphertext bytes with an HME1 version {header.Version} header of {header.HeaderLength} bytes and segments of {header.SegmentSize} bytes.");
        }

        return header.HeaderLength;
    }
}
