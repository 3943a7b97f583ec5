using System.Security.Cryptography;

namespace Hoomi.Client.Crypto;

/// <summary>The per-stream keys of an <c>HME1</c> stream and the AES-256-GCM operation on one segment.</summary>
internal sealed class Hme1SegmentCipher : IDisposable
{
    private readonly AesGcm _aes;
    private readonly byte[] _baseNonce = new byte[12];
    private readonly byte[]? _lengthKey;
    private readonly byte[] _payloadKey;
    private AesGcm[] _workers = [];

    private Hme1SegmentCipher(ReadOnlySpan<byte> payloadKey, ReadOnlySpan<byte> baseNonce, ReadOnlySpan<byte> lengthKey)
    {
        _aes = new AesGcm(payloadKey, Hme1Format.TagLength);
        _payloadKey = payloadKey.ToArray();
        baseNonce.CopyTo(_baseNonce);
        _lengthKey = lengthKey.IsEmpty ? null : lengthKey.ToArray();
    }

    /// <summary>Prepares one AES-GCM instance per worker (an instance is not shared between threads).</summary>
    public void EnsureWorkers(int parallelism)
    {
        if (parallelism > 1 && _workers.Length < parallelism)
        {
            _workers = [.. Enumerable.Range(0, parallelism).Select(_ => new AesGcm(_payloadKey, Hme1Format.TagLength))];
        }
    }

    /// <summary>
    /// Seals <paramref name="count"/> consecutive segments from <paramref name="plain"/> (all of <paramref name="segmentSize"/>
    /// bytes but the last, which has <paramref name="lastLength"/>) into <paramref name="output"/>, on several cores when
    /// there are workers; returns the bytes written. The last one carries the final flag when <paramref name="lastIsFinal"/>.
    /// </summary>
    public int EncryptBatch(long firstIndex, int count, bool lastIsFinal, ReadOnlyMemory<byte> plain, int segmentSize, int lastLength, byte[] output)
    {
        if (count == 1 || _workers.Length < 2)
        {
            return EncryptSequential(firstIndex, count, lastIsFinal, plain.Span, segmentSize, lastLength, output);
        }

        return EncryptParallel(firstIndex, count, lastIsFinal, plain, segmentSize, lastLength, output);
    }

    /// <summary>As <see cref="EncryptBatch"/> on this thread only, straight from a span (e.g. the caller's buffer).</summary>
    public int EncryptSequential(long firstIndex, int count, bool lastIsFinal, ReadOnlySpan<byte> plain, int segmentSize, int lastLength, byte[] output)
    {
        var stride = segmentSize + Hme1Format.TagLength;
        for (var i = 0; i < count; i++)
        {
            var length = i == count - 1 ? lastLength : segmentSize;
            Seal(_aes, firstIndex + i, lastIsFinal && i == count - 1, plain.Slice(i * segmentSize, length), output.AsSpan(i * stride));
        }

        return ((count - 1) * stride) + lastLength + Hme1Format.TagLength;
    }

    /// <summary>Whether batches are sealed or opened on several cores.</summary>
    public bool IsParallel => _workers.Length > 1;

    private int EncryptParallel(long firstIndex, int count, bool lastIsFinal, ReadOnlyMemory<byte> plain, int segmentSize, int lastLength, byte[] output)
    {
        var stride = segmentSize + Hme1Format.TagLength;
        if (count == 1 || _workers.Length < 2)
        {
            for (var i = 0; i < count; i++)
            {
                var length = i == count - 1 ? lastLength : segmentSize;
                Seal(_aes, firstIndex + i, lastIsFinal && i == count - 1, plain.Span.Slice(i * segmentSize, length), output.AsSpan(i * stride));
            }
        }
        else
        {
            var workers = Math.Min(_workers.Length, count);
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                for (var i = w; i < count; i += workers)
                {
                    var length = i == count - 1 ? lastLength : segmentSize;
                    Seal(_workers[w], firstIndex + i, lastIsFinal && i == count - 1, plain.Span.Slice(i * segmentSize, length), output.AsSpan(i * stride));
                }
            });
        }

        return ((count - 1) * stride) + lastLength + Hme1Format.TagLength;
    }

    /// <summary>
    /// Opens <paramref name="count"/> consecutive segments of exactly the lengths given by the layout (all full but the last
    /// of <paramref name="lastLength"/> ciphertext bytes), on several cores when there are workers; on any failure throws
    /// and clears <paramref name="plain"/>.
    /// </summary>
    public void DecryptBatch(long firstIndex, int count, bool lastIsFinal, ReadOnlyMemory<byte> sealedBytes, int segmentSize, int lastLength, Memory<byte> plain)
    {
        var stride = segmentSize + Hme1Format.TagLength;
        try
        {
            if (count == 1 || _workers.Length < 2)
            {
                for (var i = 0; i < count; i++)
                {
                    var length = i == count - 1 ? lastLength : stride;
                    Decrypt(firstIndex + i, lastIsFinal && i == count - 1, sealedBytes.Span.Slice(i * stride, length), plain.Span[(i * segmentSize)..]);
                }
            }
            else
            {
                var workers = Math.Min(_workers.Length, count);
                Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
                {
                    for (var i = w; i < count; i += workers)
                    {
                        var length = i == count - 1 ? lastLength : stride;
                        Open(_workers[w], firstIndex + i, lastIsFinal && i == count - 1, sealedBytes.Span.Slice(i * stride, length), plain.Span[(i * segmentSize)..]);
                    }
                });
            }
        }
        catch (AggregateException e) when (e.InnerException is Hme1Exception inner)
        {
            // Other segments of the batch may have opened: nothing of the batch is released.
            CryptographicOperations.ZeroMemory(plain.Span);
            throw Hme1Format.Fail(inner.Error, inner);
        }
        catch (Hme1Exception)
        {
            CryptographicOperations.ZeroMemory(plain.Span);
            throw;
        }
    }

    private void Seal(AesGcm aes, long index, bool last, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        Span<byte> nonce = stackalloc byte[12];
        Hme1Format.SegmentNonce(_baseNonce, index, last, nonce);
        aes.Encrypt(nonce, plaintext, output[..plaintext.Length], output.Slice(plaintext.Length, Hme1Format.TagLength));
    }

    private void Open(AesGcm aes, long index, bool last, ReadOnlySpan<byte> segment, Span<byte> plaintext)
    {
        if (segment.Length < Hme1Format.TagLength)
        {
            throw Hme1Format.Fail(Hme1Error.InvalidLength);
        }

        var length = segment.Length - Hme1Format.TagLength;
        Span<byte> nonce = stackalloc byte[12];
        Hme1Format.SegmentNonce(_baseNonce, index, last, nonce);
        try
        {
            aes.Decrypt(nonce, segment[..length], segment[length..], plaintext[..length]);
        }
        catch (CryptographicException e)
        {
            // AesGcm clears the destination on failure, so nothing of the segment leaks.
            throw Hme1Format.Fail(Hme1Error.AuthenticationFailed, e);
        }
    }

    /// <summary>Version 2: the sealed length block, AES-256-GCM(lengthKey, 12 zero bytes, I2OSP(L, 8), aad = header[0..72]).</summary>
    public void SealLength(long plaintextLength, ReadOnlySpan<byte> header72, Span<byte> output)
    {
        var key = _lengthKey ?? throw new InvalidOperationException("Only version-2 streams have a sealed length.");
        Span<byte> plain = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(plain, (ulong)plaintextLength);
        Span<byte> nonce = stackalloc byte[12];
        nonce.Clear();
        using var aes = new AesGcm(key, Hme1Format.TagLength);
        aes.Encrypt(nonce, plain, output[..8], output.Slice(8, Hme1Format.TagLength), header72[..Hme1Format.HeaderLength]);
    }

    /// <summary>Version 2: opens the sealed length block of <paramref name="header"/>; throws <see cref="Hme1Error.InvalidSealedLength"/>.</summary>
    public long OpenLength(ReadOnlySpan<byte> header)
    {
        var key = _lengthKey ?? throw new InvalidOperationException("Only version-2 streams have a sealed length.");
        var block = header.Slice(Hme1Format.HeaderLength, Hme1Format.SealedLengthLength);
        Span<byte> plain = stackalloc byte[8];
        Span<byte> nonce = stackalloc byte[12];
        nonce.Clear();
        using var aes = new AesGcm(key, Hme1Format.TagLength);
        try
        {
            aes.Decrypt(nonce, block[..8], block.Slice(8, Hme1Format.TagLength), plain, header[..Hme1Format.HeaderLength]);
        }
        catch (CryptographicException e)
        {
            throw Hme1Format.Fail(Hme1Error.InvalidSealedLength, e);
        }

        var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(plain);
        if (length > long.MaxValue / 2)
        {
            throw Hme1Format.Fail(Hme1Error.InvalidSealedLength);
        }

        return (long)length;
    }

    /// <summary>Derives the keys from K and the header, writing the commitment into <paramref name="commitment"/>.</summary>
    public static Hme1SegmentCipher Create(ReadOnlySpan<byte> fileKey, Hme1Purpose purpose, ReadOnlySpan<byte> header, Span<byte> commitment)
    {
        Span<byte> payloadKey = stackalloc byte[32];
        Span<byte> baseNonce = stackalloc byte[12];
        Span<byte> lengthKey = stackalloc byte[32];
        var v2 = header[4] == Hme1Format.Version2;
        try
        {
            Hme1Format.DeriveKeys(fileKey, purpose, header, payloadKey, baseNonce, commitment, lengthKey);
            return new Hme1SegmentCipher(payloadKey, baseNonce, v2 ? lengthKey : default);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(payloadKey);
            CryptographicOperations.ZeroMemory(baseNonce);
            CryptographicOperations.ZeroMemory(lengthKey);
        }
    }

    /// <summary>Derives the keys and checks the header's commitment in constant time before anything is decrypted.</summary>
    public static Hme1SegmentCipher CreateVerified(ReadOnlySpan<byte> fileKey, Hme1Purpose purpose, ReadOnlySpan<byte> header)
    {
        Span<byte> expected = stackalloc byte[Hme1Format.CommitmentLength];
        var cipher = Create(fileKey, purpose, header, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, header.Slice(40, Hme1Format.CommitmentLength)))
        {
            cipher.Dispose();
            throw Hme1Format.Fail(Hme1Error.CommitmentMismatch);
        }

        return cipher;
    }

    /// <summary>Writes ciphertext || tag (plaintext.Length + 16 bytes) into <paramref name="output"/>.</summary>
    public void Encrypt(long index, bool last, ReadOnlySpan<byte> plaintext, Span<byte> output) => Seal(_aes, index, last, plaintext, output);

    /// <summary>Decrypts <paramref name="data"/> in place (AES-GCM allows exactly overlapping buffers); on failure throws and clears it.</summary>
    public void DecryptInPlace(long index, bool last, Span<byte> data, ReadOnlySpan<byte> tag)
    {
        Span<byte> nonce = stackalloc byte[12];
        Hme1Format.SegmentNonce(_baseNonce, index, last, nonce);
        try
        {
            _aes.Decrypt(nonce, data, tag, data);
        }
        catch (CryptographicException e)
        {
            CryptographicOperations.ZeroMemory(data);
            throw Hme1Format.Fail(Hme1Error.AuthenticationFailed, e);
        }
    }

    /// <summary>Decrypts ciphertext || tag; on failure throws and leaves no plaintext in <paramref name="plaintext"/>.</summary>
    public void Decrypt(long index, bool last, ReadOnlySpan<byte> segment, Span<byte> plaintext) => Open(_aes, index, last, segment, plaintext);

    public void Dispose()
    {
        _aes.Dispose();
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }

        CryptographicOperations.ZeroMemory(_payloadKey);
        CryptographicOperations.ZeroMemory(_baseNonce);
        if (_lengthKey is not null)
        {
            CryptographicOperations.ZeroMemory(_lengthKey);
        }
    }
}
