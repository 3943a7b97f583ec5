namespace Hoomi.Client.Trust;

/// <summary>Why a key, an item or a wrap was not trusted.</summary>
public enum TrustFailure
{
    KeyIdMismatch,
    UnsignedDevice,
    BadDeviceSignature,
    IdentityChanged,
    UnsignedItem,
    BadItemSignature,
    SenderMismatch,
    ContentMismatch,
    UnsignedWrap,
    BadWrapSignature,
    UnopenableWrap,
}

/// <summary>
/// The client refused to use a key or to show an item because the server's data did not verify (e2ee.md, hoomi-e2ee-2,
/// "Client checks"). The message names the person and the device; nothing was sent or kept.
/// </summary>
public sealed class HoomiTrustException : HoomiClientException
{
    public HoomiTrustException()
    {
    }

    public HoomiTrustException(string message)
        : base(message)
    {
    }

    public HoomiTrustException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HoomiTrustException(TrustFailure failure, string message, string? userName = null, string? keyId = null, Exception? innerException = null)
        : base(message, innerException ?? new InvalidOperationException(failure.ToString()))
    {
        Failure = failure;
        UserName = userName;
        KeyId = keyId;
    }

    public TrustFailure Failure { get; }

    public string? UserName { get; }

    public string? KeyId { get; }
}
