using Hoomi.Testing;
using Amazon.S3;
using Amazon.S3.Model;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Infrastructure.Storage;

namespace Hoomi.Infrastructure.Tests.Storage;

/// <summary>One adapter under test, wired to its emulator, with its own key space (prefix or root folder).</summary>
public abstract class StoreHarness : IDisposable
{
    /// <summary>Small on purpose, so listing a handful of objects spans several pages.</summary>
    public const int PageSize = 3;

    public abstract IBlobStore Store { get; }

    /// <summary>For the filesystem store: where unfinished puts live.</summary>
    public virtual string? TempDirectory => null;

    public virtual bool CanFail => false;

    /// <summary>Makes the store unreachable, as if its server died; <see cref="EndOutageAsync"/> brings it back with its data.</summary>
    public virtual Task StartOutageAsync() => throw new NotSupportedException();

    public virtual Task EndOutageAsync() => throw new NotSupportedException();

    /// <summary>Uploads the store began but never completed (invisible to readers; for the report).</summary>
    public virtual Task<int> CountUnfinishedUploadsAsync() => Task.FromResult(0);

    public static StoreHarness Create(string provider) => provider switch
    {
        "FileSystem" => new FileSystemHarness(),
        "Gcs" => new GcsHarness(),
        "S3" => new S3Harness(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    public abstract void Dispose();
}

public sealed class FileSystemHarness : StoreHarness
{
    private readonly FileSystemBlobStore _store =
        new(Path.Combine(Path.GetTempPath(), "hoomi-blobs-" + Guid.NewGuid().ToString("N")[..12]));

    public override IBlobStore Store => _store;

    public override string TempDirectory => _store.TempDirectory;

    public override void Dispose()
    {
        if (Directory.Exists(_store.Root))
        {
            Directory.Delete(_store.Root, recursive: true);
        }
    }
}

public sealed class GcsHarness : StoreHarness
{
    private readonly GcsBlobStore _store;

    public GcsHarness()
    {
        _store = new GcsBlobStore(new GcsBlobStorageOptions
        {
            Bucket = "hoomi-test",
            Prefix = "run-" + Guid.NewGuid().ToString("N")[..12],
            BaseUri = SharedEmulators.Gcs.BaseUri,
            ListPageSize = PageSize,
        });
    }

    public override IBlobStore Store => _store;

    public override bool CanFail => true;

    public override Task StartOutageAsync() => SharedEmulators.Gcs.StartOutageAsync();

    public override Task EndOutageAsync() => SharedEmulators.Gcs.EndOutageAsync();

    public override Task<int> CountUnfinishedUploadsAsync() => SharedEmulators.Gcs.CountOpenUploadSessionsAsync();

    public override void Dispose() => _store.Dispose();
}

public sealed class S3Harness : StoreHarness
{
    private const string Bucket = "hoomi-test";
    private static readonly SemaphoreSlim BucketGate = new(1, 1);
    private static bool _bucketReady;

    private readonly S3BlobStorageOptions _options;
    private readonly S3BlobStore _store;

    public S3Harness()
    {
        _options = new S3BlobStorageOptions
        {
            Bucket = Bucket,
            Prefix = "run-" + Guid.NewGuid().ToString("N")[..12],
            ServiceUrl = SharedEmulators.S3.ServiceUrl,
            Region = "us-east-1",
            AccessKey = Hoomi.Testing.S3Emulator.AccessKey,
            SecretKey = Hoomi.Testing.S3Emulator.SecretKey,
            ForcePathStyle = true,
            ChecksumsWhenRequiredOnly = true,
            PartSizeBytes = S3BlobStorageOptions.MinimumPartSize,
            ListPageSize = PageSize,
            MaxErrorRetry = 1,
        };
        EnsureBucket();
        _store = new S3BlobStore(_options);
    }

    public override IBlobStore Store => _store;

    public override bool CanFail => true;

    public override Task StartOutageAsync()
    {
        SharedEmulators.S3.KillGateway();
        return Task.CompletedTask;
    }

    public override Task EndOutageAsync()
    {
        SharedEmulators.S3.StartGateway();
        return Task.CompletedTask;
    }

    public override async Task<int> CountUnfinishedUploadsAsync()
    {
        using var client = S3BlobStore.CreateClient(_options);
        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = _options.Prefix });
        return uploads.MultipartUploads?.Count ?? 0;
    }

    private void EnsureBucket()
    {
        BucketGate.Wait();
        try
        {
            if (_bucketReady)
            {
                return;
            }

            using var client = S3BlobStore.CreateClient(_options);
            try
            {
                // The first bucket is slow on a fresh cluster (the gateway creates its pools).
                client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket }).GetAwaiter().GetResult();
            }
            catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
            }

            _bucketReady = true;
        }
        finally
        {
            BucketGate.Release();
        }
    }

    public override void Dispose() => _store.Dispose();
}
