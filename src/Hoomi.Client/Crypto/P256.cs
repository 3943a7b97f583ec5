using System.Numerics;
using System.Security.Cryptography;

namespace Hoomi.Client.Crypto;

/// <summary>Strict handling of P-256 public keys in SEC1 uncompressed form, as e2ee.md requires of readers.</summary>
internal static class P256
{
    public const int PublicKeyLength = 65;
    public const int PrivateKeyLength = 32;
    public const int CoordinateLength = 32;

    private static readonly BigInteger Prime = Parse("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
    private static readonly BigInteger B = Parse("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");

    /// <summary>The group order n, big-endian; private keys lie in 1..n-1.</summary>
    internal static ReadOnlySpan<byte> Order =>
    [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
    ];

    /// <summary>
    /// True when <paramref name="sec1"/> is 65 bytes, starts with 0x04, has coordinates below p and satisfies
    /// y² = x³ − 3x + b. The check is done here rather than left to the platform's import so that the
    /// result does not depend on which crypto library .NET happens to sit on (P-256 has cofactor 1, so a point
    /// on the curve is in the group).
    /// </summary>
    public static bool IsValidPublicKey(ReadOnlySpan<byte> sec1)
    {
        if (sec1.Length != PublicKeyLength || sec1[0] != 0x04)
        {
            return false;
        }

        var x = new BigInteger(sec1.Slice(1, CoordinateLength), isUnsigned: true, isBigEndian: true);
        var y = new BigInteger(sec1.Slice(1 + CoordinateLength, CoordinateLength), isUnsigned: true, isBigEndian: true);
        if (x >= Prime || y >= Prime)
        {
            return false;
        }

        var left = BigInteger.ModPow(y, 2, Prime);
        var right = (BigInteger.ModPow(x, 3, Prime) - (3 * x) + B) % Prime;
        if (right.Sign < 0)
        {
            right += Prime;
        }

        return left == right;
    }

    /// <summary>Throws <see cref="CryptographicException"/> unless the key is a valid SEC1 uncompressed P-256 point.</summary>
    public static void EnsureValidPublicKey(ReadOnlySpan<byte> sec1, string what = "public key")
    {
        if (!IsValidPublicKey(sec1))
        {
            throw new CryptographicException($"The {what} is not a valid uncompressed P-256 point.");
        }
    }

    /// <summary>Imports a validated SEC1 point as an ECDH public key.</summary>
    public static ECDiffieHellman ImportPublicKey(ReadOnlySpan<byte> sec1, string what = "public key")
    {
        EnsureValidPublicKey(sec1, what);
        var key = ECDiffieHellman.Create();
        try
        {
            // ImportParameters also refuses off-curve points on the platforms .NET supports; the managed
            // check above keeps that guarantee explicit.
            key.ImportParameters(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = sec1.Slice(1, CoordinateLength).ToArray(), Y = sec1.Slice(1 + CoordinateLength).ToArray() },
            });
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Imports a raw 32-byte scalar as an ECDH private key (the public point is computed by the platform).</summary>
    public static ECDiffieHellman ImportPrivateKey(ReadOnlySpan<byte> scalar)
    {
        if (scalar.Length != PrivateKeyLength || !IsValidScalar(scalar))
        {
            throw new CryptographicException("The private key is not a P-256 scalar in 1..n-1.");
        }

        var d = scalar.ToArray();
        var key = ECDiffieHellman.Create();
        try
        {
            key.ImportParameters(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    /// <summary>The SEC1 uncompressed encoding of a key's public point.</summary>
    public static byte[] ExportPublicKey(ECDiffieHellman key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        var sec1 = new byte[PublicKeyLength];
        sec1[0] = 0x04;
        // Coordinates come back fixed-width for named curves, but left-pad anyway so that a short one cannot shift bytes.
        q.X!.CopyTo(sec1.AsSpan(1 + CoordinateLength - q.X!.Length));
        q.Y!.CopyTo(sec1.AsSpan(1 + (2 * CoordinateLength) - q.Y!.Length));
        return sec1;
    }

    /// <summary>The raw 32-byte private scalar of a key.</summary>
    public static byte[] ExportPrivateScalar(ECDiffieHellman key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var d = key.ExportParameters(includePrivateParameters: true).D!;
        if (d.Length == PrivateKeyLength)
        {
            return d;
        }

        var padded = new byte[PrivateKeyLength];
        d.CopyTo(padded.AsSpan(PrivateKeyLength - d.Length));
        CryptographicOperations.ZeroMemory(d);
        return padded;
    }

    /// <summary>True for a big-endian 32-byte value in 1..n-1.</summary>
    internal static bool IsValidScalar(ReadOnlySpan<byte> scalar)
    {
        if (scalar.IndexOfAnyExcept((byte)0) < 0)
        {
            return false;
        }

        return scalar.SequenceCompareTo(Order) < 0;
    }

    private static BigInteger Parse(string hex) => new(Convert.FromHexString(hex), isUnsigned: true, isBigEndian: true);
}
