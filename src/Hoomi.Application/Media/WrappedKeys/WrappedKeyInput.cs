namespace Hoomi.Application.Media.WrappedKeys;

// The wrapped keys as they come on the wire (an upload's metadata, a forward, a share), checked by
// WrappedKeyListRules and attached by WrappedKeyAttach. Every member is nullable so that a missing or
// mistyped field is reported as a field error.

/// <summary>The three fields of a wrapped key, whether it comes with an upload or is shared later.</summary>
public interface IWrapFields
{
    string? RecipientKeyId { get; }

    string? Enc { get; }

    string? WrappedKey { get; }
}

/// <summary>A wrap that comes with an upload or a forward (covered by the item signature, when there is one).</summary>
public sealed record UploadWrappedKey(string? RecipientKeyId, string? Enc, string? WrappedKey) : IWrapFields;

/// <summary>A wrap shared after the upload (<c>POST /media/{id}/keys</c>): signed by one of the sharer's certified device keys.</summary>
public sealed record SharedWrappedKey(string? RecipientKeyId, string? Enc, string? WrappedKey, string? SignerKeyId, string? Signature) : IWrapFields;
