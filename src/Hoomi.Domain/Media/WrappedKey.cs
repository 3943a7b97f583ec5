using Hoomi.Domain.Common;

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

    public DateTimeOffset CreatedAt { get; private set; }

    internal static WrappedKey Create(Guid mediaId, Guid recipientUserId, string recipientKeyId, byte[] enc, byte[] key, DateTimeOffset now)
    {
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
        };
    }
}
