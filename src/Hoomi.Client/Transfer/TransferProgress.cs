namespace Hoomi.Client.Transfer;

/// <summary>Where a transfer stands: <see cref="Phase"/> is <c>preparing</c> (the hashing pass of an upload), <c>uploading</c> or <c>downloading</c>.</summary>
public readonly record struct TransferProgress(string Phase, long Bytes, long? Total);
