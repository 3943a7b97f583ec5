using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using AppByteRange = Hoomi.Application.Common.Interfaces.ByteRange;

namespace Hoomi.Infrastructure.Storage;

/// <summary>
/// S3 and S3-compatible stores through <c>AWSSDK.S3</c>. The source is read one part at a time into a
/// pooled buffer (S3 needs each request's length up front): an object that fits in one part is a
/// single conditional PutObject, a larger one a multipart upload completed conditionally.
/// Create-only is <c>If-None-Match: *</c>; stores that ignore it on CompleteMultipartUpload (Ceph RGW)
/// are additionally guarded by an existence check before a multipart upload starts (best effort).
/// Retries: the SDK's standard retry mode (exponential backoff with jitter) per request.
/// </summary>
public sealed class S3BlobStore : CloudBlobStore<IAmazonS3>, IBlobStore
{
    private readonly int _partSize;

    public S3BlobStore(S3BlobStorageOptions options)
        : this(CreateClient(options), options, ownsClient: true)
    {
    }

    public S3BlobStore(IAmazonS3 client, S3BlobStorageOptions options)
        : this(client, options, ownsClient: false)
    {
    }

    private S3BlobStore(IAmazonS3 client, S3BlobStorageOptions options, bool ownsClient)
        : base(client, options, ownsClient)
    {
        _partSize = options.PartSizeBytes;
    }

    protected override string StoreName => "The S3 store";

    public static AmazonS3Client CreateClient(S3BlobStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = options.MaxErrorRetry,
        };
        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            if (!string.IsNullOrEmpty(options.Region))
            {
                config.AuthenticationRegion = options.Region;
            }
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        if (options.ChecksumsWhenRequiredOnly)
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }

        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    public async Task<BlobWriteResult> PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var name = ObjectName(key);
        var hashing = new HashingReadStream(content);
        var buffer = ArrayPool<byte>.Shared.Rent(_partSize);
        try
        {
            var filled = await FillAsync(hashing, buffer, cancellationToken).ConfigureAwait(false);
            if (filled < _partSize)
            {
                await PutSingleAsync(key, name, buffer, filled, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PutMultipartAsync(key, name, hashing, buffer, filled, cancellationToken).ConfigureAwait(false);
            }

            return new BlobWriteResult(hashing.BytesRead, hashing.FinishHash());
        }
        catch (Exception e) when (e is not BlobAlreadyExistsException)
        {
            hashing.ThrowIfSourceFailed();
            if (Map(e, key, cancellationToken) is { } mapped && !ReferenceEquals(mapped, e))
            {
                throw mapped;
            }

            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await hashing.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task PutSingleAsync(string key, string name, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(buffer, 0, length, writable: false);
        var request = new PutObjectRequest
        {
            BucketName = Bucket,
            Key = name,
            InputStream = body,
            AutoCloseStream = false,
            ContentType = ContentType,
            IfNoneMatch = "*",
        };
        try
        {
            await Client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (IsPreconditionFailure(e))
        {
            throw new BlobAlreadyExistsException(key);
        }
    }

    private async Task PutMultipartAsync(string key, string name, HashingReadStream source, byte[] buffer, int filled, CancellationToken cancellationToken)
    {
        if (await ExistsByNameAsync(name, cancellationToken).ConfigureAwait(false))
        {
            throw new BlobAlreadyExistsException(key);
        }

        var upload = await Client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = Bucket, Key = name, ContentType = ContentType },
            cancellationToken).ConfigureAwait(false);
        var completed = false;
        try
        {
            var parts = new List<PartETag>();
            var partNumber = 1;
            while (filled > 0)
            {
                using (var body = new MemoryStream(buffer, 0, filled, writable: false))
                {
                    var part = await Client.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = Bucket,
                        Key = name,
                        UploadId = upload.UploadId,
                        PartNumber = partNumber,
                        InputStream = body,
                        PartSize = filled,
                    }, cancellationToken).ConfigureAwait(false);
                    parts.Add(new PartETag(partNumber, part.ETag));
                }

                partNumber++;
                filled = await FillAsync(source, buffer, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                {
                    BucketName = Bucket,
                    Key = name,
                    UploadId = upload.UploadId,
                    PartETags = parts,
                    IfNoneMatch = "*",
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (IsPreconditionFailure(e))
            {
                throw new BlobAlreadyExistsException(key);
            }

            completed = true;
        }
        finally
        {
            if (!completed)
            {
                await AbortQuietlyAsync(name, upload.UploadId).ConfigureAwait(false);
            }
        }
    }

    private async Task AbortQuietlyAsync(string name, string uploadId)
    {
        try
        {
            // Not the caller's token: a cancelled put must still release the parts it stored.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await Client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = Bucket, Key = name, UploadId = uploadId },
                timeout.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The store may be down; an abandoned upload is invisible and a bucket lifecycle rule removes it.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task<int> FillAsync(Stream source, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < _partSize)
        {
            var n = await source.ReadAsync(buffer.AsMemory(filled, _partSize - filled), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }

    public async Task<Stream> OpenReadAsync(string key, AppByteRange? range, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = Bucket, Key = ObjectName(key) };
        if (range is not null)
        {
            request.ByteRange = new Amazon.S3.Model.ByteRange(range.From, range.To);
        }

        try
        {
            var response = await Client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return new OwningReadStream(response.ResponseStream, e => Map(e, key, CancellationToken.None), response.Dispose);
        }
        catch (Exception e) when (Map(e, key, cancellationToken) is { } mapped && !ReferenceEquals(mapped, e))
        {
            throw mapped;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await Client.DeleteObjectAsync(Bucket, ObjectName(key), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // Some S3-compatible stores answer 404 where S3 answers 204.
        }
        catch (Exception e) when (Map(e, key, cancellationToken) is { } mapped && !ReferenceEquals(mapped, e))
        {
            throw mapped;
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await ExistsByNameAsync(ObjectName(key), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Map(e, key, cancellationToken) is { } mapped && !ReferenceEquals(mapped, e))
        {
            throw mapped;
        }
    }

    private async Task<bool> ExistsByNameAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await Client.GetObjectMetadataAsync(Bucket, name, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BlobKeys.ValidatePrefix(prefix);
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = Prefix + prefix, MaxKeys = PageSize };
        while (true)
        {
            ListObjectsV2Response page;
            try
            {
                page = await Client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (Map(e, prefix, cancellationToken) is { } mapped && !ReferenceEquals(mapped, e))
            {
                throw mapped;
            }

            foreach (var o in page.S3Objects ?? [])
            {
                yield return new BlobItem(o.Key[Prefix.Length..], o.Size ?? 0, o.LastModified is { } m ? new DateTimeOffset(m.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue);
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    private static bool IsPreconditionFailure(AmazonS3Exception e) =>
        e.StatusCode == HttpStatusCode.PreconditionFailed
        // S3 answers 409 when a concurrent conditional write to the same key won the race.
        || (e.StatusCode == HttpStatusCode.Conflict && e.ErrorCode == "ConditionalRequestConflict");

    protected override Exception? MapServiceError(Exception e, string key) => e switch
    {
        AmazonS3Exception s3 when s3.StatusCode == HttpStatusCode.NotFound => new BlobNotFoundException(key),
        AmazonS3Exception s3 when IsPreconditionFailure(s3) => new BlobAlreadyExistsException(key),
        AmazonServiceException service when service.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError =>
            new StorageUnavailableException($"The S3 store answered {(int)service.StatusCode} ({service.ErrorCode}) for '{key}'.", e),
        _ => null,
    };
}
