using System.Net.Sockets;
using Hoomi.Application.Common.Exceptions;

namespace Hoomi.Infrastructure.Storage;

/// <summary>Where a cloud store keeps its objects: a bucket, an optional folder inside it, and a listing page size.</summary>
public abstract class CloudBlobStorageOptions
{
    public string Bucket { get; set; } = "";

    /// <summary>Optional folder inside the bucket, so one bucket can serve several deployments.</summary>
    public string? Prefix { get; set; }

    public int ListPageSize { get; set; } = 1000;
}

/// <summary>
/// What <see cref="GcsBlobStore"/> and <see cref="S3BlobStore"/> share: the client (disposed only when the store made it),
/// the bucket and the prefix every key is stored under, and the mapping of client failures to the application's
/// storage exceptions (a store maps only its own service answers, <see cref="MapServiceError"/>).
/// </summary>
public abstract class CloudBlobStore<TClient> : IDisposable
    where TClient : class, IDisposable
{
    /// <summary>Objects are ciphertext: the store never learns or keeps the client's MIME type.</summary>
    protected const string ContentType = "application/octet-stream";

    private readonly bool _ownsClient;

    protected CloudBlobStore(TClient client, CloudBlobStorageOptions options, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        Client = client;
        _ownsClient = ownsClient;
        Bucket = options.Bucket;
        Prefix = BlobKeys.NormalizeStorePrefix(options.Prefix);
        PageSize = options.ListPageSize;
    }

    protected TClient Client { get; }

    protected string Bucket { get; }

    /// <summary>The normalized folder inside the bucket ("" or ending in '/').</summary>
    protected string Prefix { get; }

    protected int PageSize { get; }

    /// <summary>How the store names itself in error messages ("Google Cloud Storage", "The S3 store").</summary>
    protected abstract string StoreName { get; }

    public void Dispose()
    {
        if (_ownsClient)
        {
            Client.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>The object name of a validated key: the store prefix, then the key.</summary>
    protected string ObjectName(string key)
    {
        BlobKeys.Validate(key);
        return Prefix + key;
    }

    /// <summary>The application's exception for a client failure, or null when it is not a storage condition.</summary>
    internal Exception? Map(Exception e, string key, CancellationToken cancellationToken)
    {
        switch (e)
        {
            case BlobNotFoundException or BlobAlreadyExistsException or StorageUnavailableException:
                return e;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return null;
            case OperationCanceledException:
                // Not our token: the HTTP client timed out.
                return new StorageUnavailableException($"{StoreName} timed out for '{key}'.", e);
            case HttpRequestException or IOException or SocketException:
                return new StorageUnavailableException($"{StoreName} is unreachable ({e.Message}).", e);
        }

        if (MapServiceError(e, key) is { } mapped)
        {
            return mapped;
        }

        return e.InnerException is { } inner ? Map(inner, key, cancellationToken) : null;
    }

    /// <summary>
    /// The application's exception for an answer of the service (404 → not found, a failed create-only
    /// precondition → already exists, 408/429/5xx → unavailable), or null when <paramref name="e"/> is none.
    /// </summary>
    protected abstract Exception? MapServiceError(Exception e, string key);
}
