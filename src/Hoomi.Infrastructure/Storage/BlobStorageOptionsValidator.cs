using Microsoft.Extensions.Options;

namespace Hoomi.Infrastructure.Storage;

/// <summary>Fails start-up with a message naming the configuration key, instead of failing the first upload.</summary>
internal sealed class BlobStorageOptionsValidator : IValidateOptions<BlobStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, BlobStorageOptions options)
    {
        var errors = new List<string>();
        const string s = BlobStorageOptions.Section;
        switch (options.Provider)
        {
            case BlobStorageProvider.FileSystem:
                if (string.IsNullOrWhiteSpace(options.FileSystem.Root))
                {
                    errors.Add($"{s}:FileSystem:Root is required when {s}:Provider is FileSystem.");
                }

                break;
            case BlobStorageProvider.Gcs:
                var gcs = options.Gcs;
                if (string.IsNullOrWhiteSpace(gcs.Bucket))
                {
                    errors.Add($"{s}:Gcs:Bucket is required when {s}:Provider is Gcs.");
                }

                if (!string.IsNullOrEmpty(gcs.BaseUri) && !Uri.TryCreate(gcs.BaseUri, UriKind.Absolute, out _))
                {
                    errors.Add($"{s}:Gcs:BaseUri must be an absolute URI (e.g. http://127.0.0.1:9199/storage/v1/).");
                }

                if (gcs.ChunkSizeBytes <= 0 || gcs.ChunkSizeBytes % GcsBlobStorageOptions.ChunkGranularity != 0)
                {
                    errors.Add($"{s}:Gcs:ChunkSizeBytes must be a positive multiple of 262144 (256 KiB).");
                }

                if (gcs.ListPageSize is < 1 or > 1000)
                {
                    errors.Add($"{s}:Gcs:ListPageSize must be between 1 and 1000.");
                }

                break;
            case BlobStorageProvider.S3:
                var s3 = options.S3;
                if (string.IsNullOrWhiteSpace(s3.Bucket))
                {
                    errors.Add($"{s}:S3:Bucket is required when {s}:Provider is S3.");
                }

                if (string.IsNullOrWhiteSpace(s3.ServiceUrl) && string.IsNullOrWhiteSpace(s3.Region))
                {
                    errors.Add($"{s}:S3:Region (AWS) or {s}:S3:ServiceUrl (S3-compatible store) is required.");
                }

                if (!string.IsNullOrEmpty(s3.ServiceUrl) && !Uri.TryCreate(s3.ServiceUrl, UriKind.Absolute, out _))
                {
                    errors.Add($"{s}:S3:ServiceUrl must be an absolute URL.");
                }

                if (string.IsNullOrEmpty(s3.AccessKey) != string.IsNullOrEmpty(s3.SecretKey))
                {
                    errors.Add($"{s}:S3:AccessKey and {s}:S3:SecretKey go together (or leave both empty for the default credential chain).");
                }

                if (s3.PartSizeBytes < S3BlobStorageOptions.MinimumPartSize)
                {
                    errors.Add($"{s}:S3:PartSizeBytes must be at least 5 MiB (S3's minimum part size).");
                }

                if (s3.ListPageSize is < 1 or > 1000)
                {
                    errors.Add($"{s}:S3:ListPageSize must be between 1 and 1000.");
                }

                if (s3.MaxErrorRetry < 0)
                {
                    errors.Add($"{s}:S3:MaxErrorRetry must not be negative.");
                }

                break;
            default:
                errors.Add($"{s}:Provider must be FileSystem, Gcs or S3.");
                break;
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
