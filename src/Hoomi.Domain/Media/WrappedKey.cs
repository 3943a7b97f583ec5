using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;

namespace Hoomi.Domain.Media;

/// <summary>The file key of one media item, HPKE-sealed for one recipient device key (e2ee.md).</summary>
public sealed class WrappedKey
{
    public const int EncLength = 65;
    public const int WrappedKeyLength = 48;

    private WrappedKey()
    {
        RecipientKeyId = "";
        Enc = [];
        Key = [];
    }

    public Guid MediaId { get; private set; }

    public Guid RecipientUserId { get; private set; }

    public string RecipientKeyId { get; private set; }

    /// <summary>HPKE encapsulated key, 65 bytes.</summary>
    public byte[] Enc { get; private set; }

    /// <summary>The sealed 32-byte file key plus its 16-byte tag.</summary>
    public byte[] Key { get; private set; }

    /// <summary>The sharing device's key id for a wrap shared after the upload (hoomi-e2ee-2); null for a wrap that came with the upload or forward.</summary>
    public string? SignerKeyId { get; private set; }

    /// <summary>The sharing device's signature (P1363, 64 bytes) over the share; null for a wrap that came with the upload or forward.</summary>
    public byte[]? Signature { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>True for a wrap that came with the upload or forward itself (not shared later).</summary>
    public bool CameWithUpload(DateTimeOffset mediaCreatedAt) => SignerKeyId is null && CreatedAt == mediaCreatedAt;

    internal static WrappedKey Create(
        Guid mediaId, Guid recipientUserId, string recipientKeyId, byte[] enc, byte[] key, DateTimeOffset now,
        string? signerKeyId = null, byte[]? signature = null)
    {
        if ((signerKeyId is null) != (signature is null))
        {
            throw DomainException.Invalid("invalid-share-signature", "A shared wrap carries both its signer key id and signature, or neither.");
        }

        if (signature is not null && !EcdsaSignature.HasValidLength(signature))
        {
            throw DomainException.Invalid("invalid-share-signature", "A share signature is 64 bytes (IEEE P1363 r || s).");
        }

        if (enc is not { Length: EncLength } || enc[0] != 0x04)
        {
            throw DomainException.Invalid("invalid-enc", "enc must be a 65-byte SEC1 uncompressed point.");
        }

        if (key is not { Length: WrappedKeyLength })
        {
            throw DomainException.Invalid("invalid-wrapped-key", "A wrapped key is 48 bytes.");
        }

        return new WrappedKey
        {
            MediaId = mediaId,
            RecipientUserId = recipientUserId,
            RecipientKeyId = recipientKeyId,
            Enc = enc,
            Key = key,
            CreatedAt = now,
            SignerKeyId = signerKeyId,
            Signature = signature,
        };
    }
}
