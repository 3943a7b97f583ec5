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
