using Hoomi.Client.Crypto;

namespace Hoomi.Client.Tests.Crypto;

internal static class Hme1TestData
{
    public static readonly byte[] FileKey = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    /// <summary>The deterministic plaintext of the vectors: byte i is i mod 251.</summary>
    public static byte[] Pattern(long length)
    {
        var data = new byte[length];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i % 251);
        }

        return data;
    }

    public static byte[] Encrypt(byte[] plaintext, int log2 = 12, bool compress = false, Hme1Purpose purpose = Hme1Purpose.Content, byte[]? key = null, byte[]? salt = null) =>
        Hme1.Encrypt(plaintext, key ?? FileKey, purpose, new Hme1WriterOptions { Log2SegmentSize = log2, Compress = compress, Salt = salt });

    /// <summary>Reads with the streaming reader, with or without the total length, in small reads to exercise buffering.</summary>
    public static byte[] Decrypt(byte[] ciphertext, bool knownLength, Hme1Purpose purpose = Hme1Purpose.Content, int readSize = 1000)
    {
        using var reader = new Hme1DecryptingStream(new MemoryStream(ciphertext), FileKey, purpose, knownLength ? ciphertext.Length : null);
        using var output = new MemoryStream();
        var buffer = new byte[readSize];
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            output.Write(buffer, 0, n);
        }

        return output.ToArray();
    }

    public static async Task<byte[]> DecryptAsync(byte[] ciphertext, bool knownLength, Hme1Purpose purpose = Hme1Purpose.Content)
    {
        await using var reader = new Hme1DecryptingStream(new TrickleStream(ciphertext), FileKey, purpose, knownLength ? ciphertext.Length : null);
        using var output = new MemoryStream();
        await reader.CopyToAsync(output);
        return output.ToArray();
    }
}

/// <summary>A read-only stream returning at most a few bytes per read, as networks do, to test the readers' filling loops.</summary>
internal sealed class TrickleStream(byte[] data) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = Math.Min(Math.Min(count, 777), data.Length - _position);
        Array.Copy(data, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var n = Math.Min(Math.Min(buffer.Length, 777), data.Length - _position);
        data.AsMemory(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
