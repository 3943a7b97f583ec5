namespace Hoomi.Infrastructure.Storage;

public enum BlobStorageProvider
{
    FileSystem,
    Gcs,
    S3,
}

/// <summary>Section <c>Hoomi:Storage</c>. The embedded default is a directory under <c>./data</c>.</summary>
public sealed class BlobStorageOptions
{
    public const string Section = "Hoomi:Storage";

    public BlobStorageProvider Provider { get; set; } = BlobStorageProvider.FileSystem;

    public FileSystemBlobStorageOptions FileSystem { get; set; } = new();

    public GcsBlobStorageOptions Gcs { get; set; } = new();

    public S3BlobStorageOptions S3 { get; set; } = new();
}

public sealed class FileSystemBlobStorageOptions
{
    public string Root { get; set; } = "./data/blobs";
}

public sealed class GcsBlobStorageOptions : CloudBlobStorageOptions
{
    public const int ChunkGranularity = 256 * 1024;

    /// <summary>Only for emulators (<c>http://127.0.0.1:9199/storage/v1/</c>); requests are then unauthenticated.</summary>
    public string? BaseUri { get; set; }

    /// <summary>Quota/billing project for requests made with user credentials; service accounts imply it.</summary>
    public string? ProjectId { get; set; }

    /// <summary>Bytes per resumable-upload request (a multiple of 256 KiB); the client buffers one chunk.</summary>
    public int ChunkSizeBytes { get; set; } = 8 * 1024 * 1024;
}

public sealed class S3BlobStorageOptions : CloudBlobStorageOptions
{
    public const int MinimumPartSize = 5 * 1024 * 1024;

    /// <summary>Endpoint of an S3-compatible store (MinIO, Ceph RGW, R2); empty for AWS.</summary>
    public string? ServiceUrl { get; set; }

    public string? Region { get; set; }

    /// <summary>Static credentials; when empty the SDK's default chain (environment, profile, instance role) is used.</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Path-style URLs (<c>host/bucket/key</c>), needed by most self-hosted stores.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>
    /// Send and validate the SDK's flexible checksums only when an operation requires them. Some
    /// S3-compatible stores (Ceph RGW) reject the SDK's default trailing checksums.
    /// </summary>
    public bool ChecksumsWhenRequiredOnly { get; set; }

    /// <summary>Objects larger than one part go up as a multipart upload; the store buffers one part.</summary>
    public int PartSizeBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Retries of the SDK (standard mode, exponential backoff with jitter) on throttling, 5xx and network errors.</summary>
    public int MaxErrorRetry { get; set; } = 3;
}
