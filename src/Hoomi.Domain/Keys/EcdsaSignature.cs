namespace Hoomi.Domain.Keys;

/// <summary>ECDSA P-256 signatures as hoomi-e2ee-2 carries them: IEEE P1363, r || s, exactly 64 bytes.</summary>
public static class EcdsaSignature
{
    public const int Length = 64;

    public static bool HasValidLength(byte[]? signature) => signature is { Length: Length };
}
