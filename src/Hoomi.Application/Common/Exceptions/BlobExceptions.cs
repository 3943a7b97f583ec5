namespace Hoomi.Application.Common.Exceptions;

public sealed class BlobNotFoundException(string key) : Exception($"Blob '{key}' does not exist.")
{
    public string Key { get; } = key;
}

public sealed class BlobAlreadyExistsException(string key) : Exception($"Blob '{key}' already exists.")
{
    public string Key { get; } = key;
}

/// <summary>The blob store cannot be reached or refused to serve for now; the caller may retry later.</summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null, TimeSpan? retryAfter = null)
    : Exception(message, inner)
{
    public TimeSpan RetryAfter { get; } = retryAfter ?? TimeSpan.FromSeconds(5);
}

/// <summary>
/// The blob store has no room left (a full disk: ENOSPC, or a filesystem quota: EDQUOT) → 507 <c>insufficient-storage</c>.
/// Nothing of the write is left behind; the upload can be retried once space is freed.
/// </summary>
public sealed class InsufficientStorageException(string message, Exception? inner = null) : Exception(message, inner);
