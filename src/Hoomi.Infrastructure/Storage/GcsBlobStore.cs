using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Google;
using Google.Cloud.Storage.V1;
using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Object = Google.Apis.Storage.v1.Data.Object;

namespace Hoomi.Infrastructure.Storage;

/// <summary>
/// Google Cloud Storage through <c>Google.Cloud.Storage.V1</c>. Uploads are resumable in chunks of
/// <see cref="GcsBlobStorageOptions.ChunkSizeBytes"/> and create-only (<c>ifGenerationMatch=0</c>);
/// downloads stream through a pipe because the client writes into a stream while callers want to read one.
/// Retries: the client library's <see cref="RetryOptions"/> (exponential backoff on 408/429/5xx) for
/// reads, list and delete; each upload request is retried on 503 by the HTTP layer of Google.Apis.
/// A whole put is never replayed, since the source stream cannot be rewound.
/// </summary>
public sealed class GcsBlobStore : CloudBlobStore<StorageClient>, IBlobStore
{
    // Small enough that a slow reader holds little memory, large enough to keep the download busy.
    private static readonly PipeOptions DownloadPipe = new(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false);

    private readonly int _chunkSize;
    private readonly RetryOptions _retry;

    public GcsBlobStore(GcsBlobStorageOptions options)
        : this(CreateClient(options), options, ownsClient: true)
    {
    }

    public GcsBlobStore(StorageClient client, GcsBlobStorageOptions options)
        : this(client, options, ownsClient: false)
    {
    }

    private GcsBlobStore(StorageClient client, GcsBlobStorageOptions options, bool ownsClient)
        : base(client, options, ownsClient)
    {
        _chunkSize = options.ChunkSizeBytes;
        var timing = new RetryTiming(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), 2.0);
        _retry = new RetryOptions(timing, RetryPredicate.RetriableIdempotentErrors);
    }

    protected override string StoreName => "Google Cloud Storage";

    public static StorageClient CreateClient(GcsBlobStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new StorageClientBuilder();
        if (!string.IsNullOrEmpty(options.BaseUri))
        {
            // Emulators take no credentials; production uses Application Default Credentials.
            builder.BaseUri = options.BaseUri;
            builder.UnauthenticatedAccess = true;
        }
        else if (!string.IsNullOrEmpty(options.ProjectId))
        {
            // With user credentials (local development) requests are billed to this project.
            builder.QuotaProject = options.ProjectId;
        }

        return builder.Build();
    }

    public async Task<BlobWriteResult> PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var name = ObjectName(key);
        var hashing = new HashingReadStream(content);
        await using (hashing.ConfigureAwait(false))
        {
            var destination = new Object { Bucket = Bucket, Name = name, ContentType = ContentType };
            var options = new UploadObjectOptions { ChunkSize = _chunkSize, IfGenerationMatch = 0 };
            try
            {
                await Client.UploadObjectAsync(destination, hashing, options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                hashing.ThrowIfSourceFailed();
                if (Map(e, key, cancellationToken) is { } mapped)
                {
                    throw mapped;
                }

                throw;
            }

            return new BlobWriteResult(hashing.BytesRead, hashing.FinishHash());
        }
    }

    public async Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken)
    {
        var name = ObjectName(key);
        var options = new DownloadObjectOptions();
        if (range is not null)
        {
            options.Range = new RangeHeaderValue(range.From, range.To);
            // A ranged response carries the whole object's hash, which the partial content cannot match.
            options.DownloadValidationMode = DownloadValidationMode.Never;
        }

        var pipe = new Pipe(DownloadPipe);
        var downloadCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var download = DownloadAsync(name, options, pipe.Writer, downloadCancellation.Token);

        // Wait for the first bytes (or the end, or an error) so that "not found" and "unavailable"
        // surface here rather than from the first read of the returned stream.
        try
        {
            var first = await pipe.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            pipe.Reader.AdvanceTo(first.Buffer.Start);
        }
        catch (Exception e)
        {
            await downloadCancellation.CancelAsync().ConfigureAwait(false);
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            downloadCancellation.Dispose();
            if (Map(e, key, cancellationToken) is { } mapped)
            {
                throw mapped;
            }

            throw;
        }

        return new OwningReadStream(
            pipe.Reader.AsStream(),
            e => Map(e, key, CancellationToken.None),
            () =>
            {
                // A reader that stops early (client gone) must stop the download too.
                downloadCancellation.Cancel();
                _ = download.ContinueWith(_ => downloadCancellation.Dispose(), TaskScheduler.Default);
            });
    }

    private async Task DownloadAsync(string name, DownloadObjectOptions options, PipeWriter writer, CancellationToken cancellationToken)
    {
        // Off the caller's synchronous path: the first await inside the client may complete inline.
        await Task.Yield();
        Exception? failure = null;
        try
        {
            var target = writer.AsStream(leaveOpen: true);
            await using (target.ConfigureAwait(false))
            {
                await Client.DownloadObjectAsync(Bucket, name, target, options, cancellationToken).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Every failure is handed to the reader through the pipe.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = e;
        }

        await writer.CompleteAsync(failure).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var name = ObjectName(key);
        try
        {
            // Safe to retry: keys are never rewritten, so a repeated delete can only meet a 404.
            await Client.DeleteObjectAsync(Bucket, name, new DeleteObjectOptions { RetryOptions = _retry }, cancellationToken).ConfigureAwait(false);
        }
        catch (GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.NotFound)
        {
            // Already gone.
        }
        catch (Exception e) when (Map(e, key, cancellationToken) is { } mapped && !ReferenceEquals(mapped, e))
        {
            throw mapped;
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        var name = ObjectName(key);
        try
        {
            await Client.GetObjectAsync(Bucket, name, new GetObjectOptions { RetryOptions = _retry }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (Exception e) when (Map(e, key, cancellationToken) is { } mapped && !ReferenceEquals(mapped, e))
        {
            throw mapped;
        }
    }

    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BlobKeys.ValidatePrefix(prefix);
        var options = new ListObjectsOptions { PageSize = PageSize, RetryOptions = _retry };
        var objects = Client.ListObjectsAsync(Bucket, Prefix + prefix, options).GetAsyncEnumerator(cancellationToken);
        await using (objects.ConfigureAwait(false))
        {
            while (true)
            {
                Object current;
                try
                {
                    if (!await objects.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }

                    current = objects.Current;
                }
                catch (Exception e) when (Map(e, prefix, cancellationToken) is { } mapped && !ReferenceEquals(mapped, e))
                {
                    throw mapped;
                }

                yield return new BlobItem(
                    current.Name[Prefix.Length..],
                    (long)(current.Size ?? 0),
                    current.UpdatedDateTimeOffset ?? current.TimeCreatedDateTimeOffset ?? DateTimeOffset.MinValue);
            }
        }
    }

    protected override Exception? MapServiceError(Exception e, string key) => e is GoogleApiException api
        ? api.HttpStatusCode switch
        {
            HttpStatusCode.NotFound => new BlobNotFoundException(key),
            HttpStatusCode.PreconditionFailed => new BlobAlreadyExistsException(key),
            HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError =>
                new StorageUnavailableException($"Google Cloud Storage answered {(int)api.HttpStatusCode} for '{key}'.", e),
            _ => null,
        }
        : null;
}
