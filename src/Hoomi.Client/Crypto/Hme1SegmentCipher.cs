using System.Security.Cryptography;

namespace Hoomi.Client.Crypto;

/// <summary>The per-stream keys of an <c>HME1</c> stream and the AES-256-GCM operation on one segment.</summary>
internal sealed class Hme1SegmentCipher : IDisposable
{
    private readonly AesGcm _aes;
    private readonly byte[] _baseNonce = new byte[12];

    private Hme1SegmentCipher(ReadOnlySpan<byte> payloadKey, ReadOnlySpan<byte> baseNonce)
    {
        _aes = new AesGcm(payloadKey, Hme1Format.TagLength);
        baseNonce.CopyTo(_baseNonce);
    }

    /// <summary>Derives the keys from K and the header, writing the commitment into <paramref name="commitment"/>.</summary>
    public static Hme1SegmentCipher Create(ReadOnlySpan<byte> fileKey, Hme1Purpose purpose, ReadOnlySpan<byte> header, Span<byte> commitment)
    {
        Span<byte> payloadKey = stackalloc byte[32];
        Span<byte> baseNonce = stackalloc byte[12];
        try
        {
            Hme1Format.DeriveKeys(fileKey, purpose, header, payloadKey, baseNonce, commitment);
            return new Hme1SegmentCipher(payloadKey, baseNonce);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(payloadKey);
            CryptographicOperations.ZeroMemory(baseNonce);
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
    public void Encrypt(long index, bool last, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        Span<byte> nonce = stackalloc byte[12];
        Hme1Format.SegmentNonce(_baseNonce, index, last, nonce);
        _aes.Encrypt(nonce, plaintext, output[..plaintext.Length], output.Slice(plaintext.Length, Hme1Format.TagLength));
    }

    /// <summary>Decrypts ciphertext || tag; on failure throws and leaves no plaintext in <paramref name="plaintext"/>.</summary>
    public void Decrypt(long index, bool last, ReadOnlySpan<byte> segment, Span<byte> plaintext)
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
            _aes.Decrypt(nonce, segment[..length], segment[length..], plaintext[..length]);
        }
        catch (CryptographicException e)
        {
            // AesGcm clears the destination on failure, so nothing of the segment leaks.
            throw Hme1Format.Fail(Hme1Error.AuthenticationFailed, e);
        }
    }

    public void Dispose()
    {
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_baseNonce);
    }
}
