using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.IO;
using Hoomi.Domain.Media;

namespace Hoomi.Application.Media.Commands.UploadMedia;

/// <summary>
/// A read-through view of an uploaded ciphertext that refuses it as early as possible: a bad HME1 header
/// or a length the header cannot explain after 8 bytes, a body longer than declared at the first extra byte.
/// The blob store reading it then fails and keeps nothing.
/// </summary>
internal sealed class CiphertextCheckStream(Stream inner, long declaredSize, string part) : ReadOnlyPassThroughStream(inner)
{
    private readonly byte[] _head = new byte[Hme1Format.FixedHeaderLength];
    private long _read;

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
}
