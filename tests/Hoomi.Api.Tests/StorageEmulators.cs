using Amazon.S3;
using Amazon.S3.Model;
using Hoomi.Infrastructure.Storage;
using Hoomi.Testing;

namespace Hoomi.Api.Tests;

/// <summary>
/// The storage emulators for the whole assembly (root namespace, so it covers every test), see
/// <see cref="StorageEmulatorSetUpFixture"/>; the S3 one with this suite's bucket created.
/// </summary>
[SetUpFixture]
public sealed class StorageEmulators : StorageEmulatorSetUpFixture
{
    public const string Bucket = "hoomi-api-test";

    /// <summary>The providers the media functional suite runs on.</summary>
    public static readonly string[] Providers = ["FileSystem", "Gcs", "S3"];

    public static readonly string[] CloudProviders = ["Gcs", "S3"];

    private static readonly Lazy<S3Emulator> LazyS3WithBucket = new(WithBucket, LazyThreadSafetyMode.ExecutionAndPublication);

    public static new S3Emulator S3 => LazyS3WithBucket.Value;

    /// <summary>
    /// Configuration that points the API at <paramref name="provider"/>, under a key prefix of its own so
    /// that what one factory stores is all that its listing sees. Empty for the filesystem (the factory's default).
    /// </summary>
    public static Dictionary<string, string?> SettingsFor(string provider)
    {
        var prefix = "run-" + Guid.NewGuid().ToString("N")[..12];
        return provider switch
        {
            "FileSystem" => [],
            "Gcs" => new()
            {
                ["Hoomi:Storage:Provider"] = "Gcs",
                ["Hoomi:Storage:Gcs:Bucket"] = Bucket,
                ["Hoomi:Storage:Gcs:Prefix"] = prefix,
                ["Hoomi:Storage:Gcs:BaseUri"] = Gcs.BaseUri,
            },
            "S3" => new()
            {
                ["Hoomi:Storage:Provider"] = "S3",
                ["Hoomi:Storage:S3:Bucket"] = Bucket,
                ["Hoomi:Storage:S3:Prefix"] = prefix,
                ["Hoomi:Storage:S3:ServiceUrl"] = S3.ServiceUrl,
                ["Hoomi:Storage:S3:Region"] = "us-east-1",
                ["Hoomi:Storage:S3:AccessKey"] = S3Emulator.AccessKey,
                ["Hoomi:Storage:S3:SecretKey"] = S3Emulator.SecretKey,
                ["Hoomi:Storage:S3:ForcePathStyle"] = "true",
                ["Hoomi:Storage:S3:ChecksumsWhenRequiredOnly"] = "true",
                // The SDK's retries against a dead gateway only slow the outage test down.
                ["Hoomi:Storage:S3:MaxErrorRetry"] = "1",
            },
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
        };
    }

    /// <summary>Settings for <paramref name="provider"/> merged with (and overridden by) <paramref name="extra"/>.</summary>
    public static Dictionary<string, string?> SettingsFor(string provider, IDictionary<string, string?> extra)
    {
        var settings = SettingsFor(provider);
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static S3Emulator WithBucket()
    {
        var emulator = StorageEmulatorSetUpFixture.S3;
        using var client = S3BlobStore.CreateClient(new S3BlobStorageOptions
        {
            Bucket = Bucket,
            ServiceUrl = emulator.ServiceUrl,
            Region = "us-east-1",
            AccessKey = S3Emulator.AccessKey,
            SecretKey = S3Emulator.SecretKey,
            ForcePathStyle = true,
            ChecksumsWhenRequiredOnly = true,
        });
        try
        {
            // Also the warm-up: the first bucket on a fresh cluster is slow (the gateway creates its pools).
            client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket }).GetAwaiter().GetResult();
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
        }

        return emulator;
    }
}
