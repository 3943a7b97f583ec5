using Hoomi.Domain.Common;
using Hoomi.Domain.Media;

namespace Hoomi.Application.Media.WrappedKeys;

/// <summary>Turns validated wrapped keys into the item's <see cref="WrappedKey"/> rows: the one place they are decoded.</summary>
public static class WrappedKeyAttach
{
    /// <summary>
    /// Adds every wrap to <paramref name="item"/>, each for the owner of its recipient key (from <paramref name="recipients"/>,
    /// key id → user id, checked beforehand by <see cref="RecipientKeys"/>). A <see cref="SharedWrappedKey"/> keeps its signer
    /// and share signature. The entity refuses a second wrap for the same device key (409).
    /// </summary>
    public static List<string> AttachTo<TKey>(MediaItem item, IEnumerable<TKey?> wraps, IReadOnlyDictionary<string, Guid> recipients, DateTimeOffset now)
        where TKey : class, IWrapFields
    {
        var added = new List<string>();
        foreach (var k in wraps)
        {
            var keyId = k!.RecipientKeyId!;
            string? signerKeyId = null;
            byte[]? signature = null;
            if (k is SharedWrappedKey shared)
            {
                (signerKeyId, signature) = (shared.SignerKeyId, Base64Url.DecodeValidated(shared.Signature));
            }

            item.AddWrappedKey(recipients[keyId], keyId, Base64Url.DecodeValidated(k.Enc), Base64Url.DecodeValidated(k.WrappedKey), now, signerKeyId, signature);
            added.Add(keyId);
        }

        return added;
    }
}
