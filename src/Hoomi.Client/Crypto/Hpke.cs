using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Hoomi.Client.Crypto;

/// <summary>AEAD identifiers of RFC 9180 that this implementation supports.</summary>
internal enum HpkeAead : ushort
{
    Aes128Gcm = 0x0001,
    Aes256Gcm = 0x0002,
}

/// <summary>
/// HPKE (RFC 9180) in base mode with DHKEM(P-256, HKDF-SHA256) and HKDF-SHA256; AES-256-GCM is the suite of
/// <c>hoomi-e2ee-1</c>, AES-128-GCM exists to check the key schedule against a second set of vectors.
/// </summary>
internal static class Hpke
{
    public const ushort KemId = 0x0010;
    public const ushort KdfId = 0x0001;
    public const int EncLength = P256.PublicKeyLength;
    public const int TagLength = 16;
    public const int NonceLength = 12;

    private const int HashLength = 32;
    private const byte ModeBase = 0x00;

    private static ReadOnlySpan<byte> Version => "HPKE-v1"u8;

    private static readonly byte[] KemSuiteId = [(byte)'K', (byte)'E', (byte)'M', 0x00, 0x10];

    /// <summary>Sender setup: encapsulates to <paramref name="recipientPublicKey"/> with a fresh ephemeral key.</summary>
    public static HpkeContext SetupBaseS(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, out byte[] enc, HpkeAead aead = HpkeAead.Aes256Gcm)
    {
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return SetupBaseS(recipientPublicKey, info, ephemeral, out enc, aead);
    }

    /// <summary>Sender setup with a given ephemeral key: only test vectors may fix it, reuse breaks HPKE.</summary>
    internal static HpkeContext SetupBaseS(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ECDiffieHellman ephemeral, out byte[] enc, HpkeAead aead = HpkeAead.Aes256Gcm)
    {
        var sharedSecret = Encap(recipientPublicKey, ephemeral, out enc);
        return KeySchedule(sharedSecret, info, aead, isSender: true);
    }

    /// <summary>Recipient setup: decapsulates <paramref name="enc"/> with the recipient's private key.</summary>
    public static HpkeContext SetupBaseR(ECDiffieHellman recipientKey, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> info, HpkeAead aead = HpkeAead.Aes256Gcm)
    {
        var sharedSecret = Decap(recipientKey, enc);
        return KeySchedule(sharedSecret, info, aead, isSender: false);
    }

    /// <summary>Single-shot seal (RFC 9180 §6.1): returns the encapsulated key and the ciphertext with its tag.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, out byte[] enc, HpkeAead aead = HpkeAead.Aes256Gcm)
    {
        using var context = SetupBaseS(recipientPublicKey, info, out enc, aead);
        return context.Seal(aad, plaintext);
    }

    internal static byte[] Seal(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, ECDiffieHellman ephemeral, out byte[] enc, HpkeAead aead = HpkeAead.Aes256Gcm)
    {
        using var context = SetupBaseS(recipientPublicKey, info, ephemeral, out enc, aead);
        return context.Seal(aad, plaintext);
    }

    /// <summary>Single-shot open (RFC 9180 §6.1); throws <see cref="CryptographicException"/> when authentication fails.</summary>
    public static byte[] Open(ECDiffieHellman recipientKey, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, HpkeAead aead = HpkeAead.Aes256Gcm)
    {
        using var context = SetupBaseR(recipientKey, enc, info, aead);
        return context.Open(aad, ciphertext);
    }

    /// <summary>DeriveKeyPair for DHKEM(P-256) (RFC 9180 §7.1.3): returns the raw scalar and the SEC1 public key.</summary>
    public static (byte[] PrivateKey, byte[] PublicKey) DeriveKeyPair(ReadOnlySpan<byte> ikm)
    {
        Span<byte> prk = stackalloc byte[HashLength];
        LabeledExtract(KemSuiteId, [], "dkp_prk"u8, ikm, prk);
        var candidate = new byte[P256.PrivateKeyLength];
        for (var counter = 0; counter <= 255; counter++)
        {
            // The bitmask for P-256 is 0xFF, so the candidate is used as is.
            LabeledExpand(KemSuiteId, prk, "candidate"u8, [(byte)counter], candidate);
            if (P256.IsValidScalar(candidate))
            {
                using var key = P256.ImportPrivateKey(candidate);
                return (candidate, P256.ExportPublicKey(key));
            }
        }

        throw new CryptographicException("DeriveKeyPair found no valid scalar.");
    }

    internal static byte[] Encap(ReadOnlySpan<byte> recipientPublicKey, ECDiffieHellman ephemeral, out byte[] enc)
    {
        using var pkR = P256.ImportPublicKey(recipientPublicKey, "recipient public key");
        enc = P256.ExportPublicKey(ephemeral);
        var dh = ephemeral.DeriveRawSecretAgreement(pkR.PublicKey);
        try
        {
            return ExtractAndExpand(dh, [.. enc, .. recipientPublicKey]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    internal static byte[] Decap(ECDiffieHellman recipientKey, ReadOnlySpan<byte> enc)
    {
        ArgumentNullException.ThrowIfNull(recipientKey);
        using var pkE = P256.ImportPublicKey(enc, "encapsulated key");
        var pkRm = P256.ExportPublicKey(recipientKey);
        var dh = recipientKey.DeriveRawSecretAgreement(pkE.PublicKey);
        try
        {
            return ExtractAndExpand(dh, [.. enc, .. pkRm]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    private static byte[] ExtractAndExpand(ReadOnlySpan<byte> dh, ReadOnlySpan<byte> kemContext)
    {
        Span<byte> prk = stackalloc byte[HashLength];
        LabeledExtract(KemSuiteId, [], "eae_prk"u8, dh, prk);
        var sharedSecret = new byte[HashLength];
        LabeledExpand(KemSuiteId, prk, "shared_secret"u8, kemContext, sharedSecret);
        CryptographicOperations.ZeroMemory(prk);
        return sharedSecret;
    }

    internal static HpkeContext KeySchedule(byte[] sharedSecret, ReadOnlySpan<byte> info, HpkeAead aead, bool isSender)
    {
        var keyLength = aead switch
        {
            HpkeAead.Aes128Gcm => 16,
            HpkeAead.Aes256Gcm => 32,
            _ => throw new ArgumentOutOfRangeException(nameof(aead), aead, "Unsupported AEAD."),
        };
        ReadOnlySpan<byte> suiteId =
        [
            (byte)'H', (byte)'P', (byte)'K', (byte)'E',
            (byte)(KemId >> 8), (byte)KemId, (byte)(KdfId >> 8), (byte)KdfId, (byte)((ushort)aead >> 8), (byte)aead,
        ];

        Span<byte> context = stackalloc byte[1 + (2 * HashLength)];
        context[0] = ModeBase;
        LabeledExtract(suiteId, [], "psk_id_hash"u8, [], context.Slice(1, HashLength));
        LabeledExtract(suiteId, [], "info_hash"u8, info, context.Slice(1 + HashLength, HashLength));

        Span<byte> secret = stackalloc byte[HashLength];
        LabeledExtract(suiteId, sharedSecret, "secret"u8, [], secret);

        var key = new byte[keyLength];
        var baseNonce = new byte[NonceLength];
        var exporterSecret = new byte[HashLength];
        LabeledExpand(suiteId, secret, "key"u8, context, key);
        LabeledExpand(suiteId, secret, "base_nonce"u8, context, baseNonce);
        LabeledExpand(suiteId, secret, "exp"u8, context, exporterSecret);
        CryptographicOperations.ZeroMemory(secret);

        return new HpkeContext(suiteId.ToArray(), sharedSecret, key, baseNonce, exporterSecret, isSender);
    }

    internal static void LabeledExtract(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> label, ReadOnlySpan<byte> ikm, Span<byte> prk)
    {
        byte[] labeledIkm = [.. Version, .. suiteId, .. label, .. ikm];
        try
        {
            // .NET's HKDF.Extract takes ikm before salt.
            HKDF.Extract(HashAlgorithmName.SHA256, labeledIkm, salt, prk);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(labeledIkm);
        }
    }

    internal static void LabeledExpand(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> prk, ReadOnlySpan<byte> label, ReadOnlySpan<byte> info, Span<byte> output)
    {
        if (output.Length > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(output), "HPKE expands at most 65535 bytes.");
        }

        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)output.Length);
        byte[] labeledInfo = [.. length, .. Version, .. suiteId, .. label, .. info];
        HKDF.Expand(HashAlgorithmName.SHA256, prk, output, labeledInfo);
    }
}

/// <summary>
/// An HPKE encryption context (RFC 9180 §5.2). A sender context seals and a recipient context opens, each with
/// its own sequence number; both export secrets.
/// </summary>
internal sealed class HpkeContext : IDisposable
{
    private readonly byte[] _suiteId;
    private readonly byte[] _key;
    private readonly byte[] _baseNonce;
    private readonly byte[] _exporterSecret;
    private readonly byte[] _sharedSecret;
    private readonly AesGcm _aead;
    private readonly bool _isSender;
    private bool _disposed;

    internal HpkeContext(byte[] suiteId, byte[] sharedSecret, byte[] key, byte[] baseNonce, byte[] exporterSecret, bool isSender)
    {
        _suiteId = suiteId;
        _sharedSecret = sharedSecret;
        _key = key;
        _baseNonce = baseNonce;
        _exporterSecret = exporterSecret;
        _isSender = isSender;
        _aead = new AesGcm(key, Hpke.TagLength);
    }

    /// <summary>The number of messages sealed or opened so far; the next one uses this as its nonce counter.</summary>
    public ulong SequenceNumber { get; private set; }

    // Exposed to the tests only, to compare every intermediate value with the RFC vectors.
    internal ReadOnlySpan<byte> SharedSecret => _sharedSecret;

    internal ReadOnlySpan<byte> Key => _key;

    internal ReadOnlySpan<byte> BaseNonce => _baseNonce;

    internal ReadOnlySpan<byte> ExporterSecret => _exporterSecret;

    public byte[] Seal(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_isSender)
        {
            throw new InvalidOperationException("A recipient context cannot seal.");
        }

        Span<byte> nonce = stackalloc byte[Hpke.NonceLength];
        ComputeNonce(nonce);
        var output = new byte[plaintext.Length + Hpke.TagLength];
        _aead.Encrypt(nonce, plaintext, output.AsSpan(0, plaintext.Length), output.AsSpan(plaintext.Length), aad);
        IncrementSequence();
        return output;
    }

    public byte[] Open(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_isSender)
        {
            throw new InvalidOperationException("A sender context cannot open.");
        }

        if (ciphertext.Length < Hpke.TagLength)
        {
            throw new CryptographicException("The ciphertext is shorter than its tag.");
        }

        Span<byte> nonce = stackalloc byte[Hpke.NonceLength];
        ComputeNonce(nonce);
        var length = ciphertext.Length - Hpke.TagLength;
        var output = new byte[length];
        _aead.Decrypt(nonce, ciphertext[..length], ciphertext[length..], output, aad);
        // Only a successful open advances the counter (RFC 9180 §5.2), so a forged message does not desynchronise.
        IncrementSequence();
        return output;
    }

    /// <summary>Secret export (RFC 9180 §5.3).</summary>
    public byte[] Export(ReadOnlySpan<byte> exporterContext, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 255 * 32);
        var output = new byte[length];
        Hpke.LabeledExpand(_suiteId, _exporterSecret, "sec"u8, exporterContext, output);
        return output;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _aead.Dispose();
        CryptographicOperations.ZeroMemory(_key);
        CryptographicOperations.ZeroMemory(_baseNonce);
        CryptographicOperations.ZeroMemory(_exporterSecret);
        CryptographicOperations.ZeroMemory(_sharedSecret);
    }

    internal void ComputeNonce(Span<byte> nonce)
    {
        // nonce = base_nonce XOR I2OSP(seq, 12); the sequence number fits in the low 8 bytes.
        _baseNonce.CopyTo(nonce);
        Span<byte> seq = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(seq, SequenceNumber);
        for (var i = 0; i < 8; i++)
        {
            nonce[Hpke.NonceLength - 8 + i] ^= seq[i];
        }
    }

    private void IncrementSequence()
    {
        // RFC 9180 stops at 2^96 - 1; a 64-bit counter stops earlier, which is just as safe.
        if (SequenceNumber == ulong.MaxValue)
        {
            throw new CryptographicException("The HPKE message limit is reached.");
        }

        SequenceNumber++;
    }
}
