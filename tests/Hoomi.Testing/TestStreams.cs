using System.Security.Cryptography;

namespace Hoomi.Testing;

/// <summary>The boilerplate of a read-only, non-seekable test stream; a subclass implements the reads (and may report a position).</summary>
public abstract class TestReadStream : Stream
{
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

/// <summary>
/// A deterministic, incompressible-looking byte stream of a given length that is generated on the fly,
/// so the 50 MiB round trip never holds the object in memory on the test side either.
/// </summary>
public sealed class PatternStream(long length, uint seed, long throwAfter = -1) : TestReadStream
{
    private long _position;

    public static byte ByteAt(long position, uint seed)
    {
        // A cheap integer hash of (position, seed): every byte is reproducible from its offset.
        var x = (ulong)position * 0x9E3779B97F4A7C15UL ^ seed;
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 32;
        return (byte)x;
    }

    public static string Sha256(long length, uint seed)
    {
        using var s = new PatternStream(length, seed);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    public override long Position => _position;

    public override int Read(Span<byte> buffer)
    {
        if (throwAfter >= 0 && _position >= throwAfter)
        {
            throw new IOException("the source failed midway (test)");
        }

        var limit = throwAfter >= 0 ? Math.Min(length, throwAfter) : length;
        var n = (int)Math.Min(buffer.Length, limit - _position);
        for (var i = 0; i < n; i++)
        {
            buffer[i] = ByteAt(_position + i, seed);
        }

        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));
}

/// <summary>Runs an action once, when the reader has read a given number of bytes: "the store dies mid-upload".</summary>
public sealed class TriggerStream(Stream inner, long at, Func<Task> action) : TestReadStream
{
    private long _read;

    public bool Fired { get; private set; }

    public override long Position => _read;

    public override int Read(Span<byte> buffer)
    {
        var rented = new byte[buffer.Length];
        var n = ReadAsync(rented).AsTask().GetAwaiter().GetResult();
        rented.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Fired && _read >= at)
        {
            Fired = true;
            await action().ConfigureAwait(false);
        }

        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _read += n;
        return n;
    }
}
