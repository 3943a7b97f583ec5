using System.Security.Cryptography;
using System.Text;

namespace Hoomi.Client.Crypto;

/// <summary>
/// The safety number two users compare out of band (after Signal's): 60 digits from both identity keys, the same on
/// both sides (e2ee.md, hoomi-e2ee-2, "Safety numbers").
/// </summary>
internal static class SafetyNumber
{
    private const int Iterations = 5200;

    /// <summary>The 60 digits, in 12 groups of 5 separated by spaces.</summary>
    public static string Compute(Guid userA, ReadOnlySpan<byte> identityKeyA, Guid userB, ReadOnlySpan<byte> identityKeyB)
    {
        var a = Digits(userA, identityKeyA);
        var b = Digits(userB, identityKeyB);
        var all = string.CompareOrdinal(a, b) <= 0 ? a + b : b + a;
        return string.Join(' ', Enumerable.Range(0, 12).Select(i => all.Substring(i * 5, 5)));
    }

    /// <summary>One user's 30 digits: SHA-512 iterated 5200 times over the identity key.</summary>
    public static string Digits(Guid userId, ReadOnlySpan<byte> identityKey)
    {
        P256.EnsureValidPublicKey(identityKey, "identity key");
        byte[] hash = SHA512.HashData([.. "hoomi-e2ee-2 safety"u8, 0x00, .. identityKey, .. Encoding.ASCII.GetBytes(userId.ToString("D"))]);
        var buffer = new byte[64 + identityKey.Length];
        identityKey.CopyTo(buffer.AsSpan(64));
        for (var i = 0; i < Iterations; i++)
        {
            hash.CopyTo(buffer, 0);
            hash = SHA512.HashData(buffer);
        }

        var digits = new StringBuilder(30);
        for (var chunk = 0; chunk < 6; chunk++)
        {
            ulong value = 0;
            for (var j = 0; j < 5; j++)
            {
                value = (value << 8) | hash[(chunk * 5) + j];
            }

            digits.Append((value % 100000).ToString("D5", System.Globalization.CultureInfo.InvariantCulture));
        }

        return digits.ToString();
    }
}
