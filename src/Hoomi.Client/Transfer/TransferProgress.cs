namespace Hoomi.Client.Transfer;

/// <summary>Where a transfer stands: <see cref="Phase"/> is <c>uploading</c> (plaintext bytes encrypted and sent) or <c>downloading</c>.</summary>
public readonly record struct TransferProgress(string Phase, long Bytes, long? Total);
