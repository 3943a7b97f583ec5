using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Hoomi.Testing;

namespace Hoomi.Bench;

/// <summary>
/// The blob store the benchmarked API writes to: its own folder (filesystem, the default), or an emulator
/// started here and stopped by PID on dispose (<c>gcs</c>: the firebase-tools emulator, <c>s3</c>: a
/// one-node Ceph RADOS Gateway). <see cref="Environment"/> points the API at it.
/// </summary>
public sealed class BenchStorage : IDisposable
{
    private const string Bucket = "hoomi-bench";
    private readonly IDisposable? _emulator;

    private BenchStorage(string name, IDisposable? emulator, Dictionary<string, string> environment)
    {
        Name = name;
        _emulator = emulator;
        Environment = environment;
    }

    public string Name { get; }

    public IReadOnlyDictionary<string, string> Environment { get; }

    public static BenchStorage Start(string name)
    {
        switch (name)
        {
            case "filesystem":
                return new BenchStorage(name, null, []);
            case "gcs":
                var gcs = GcsEmulator.Start();
                return new BenchStorage(name, gcs, new()
                {
                    ["Hoomi__Storage__Provider"] = "Gcs",
                    ["Hoomi__Storage__Gcs__Bucket"] = Bucket,
                    ["Hoomi__Storage__Gcs__BaseUri"] = gcs.BaseUri,
                });
            case "s3":
                var s3 = S3Emulator.Start();
                try
                {
                    CreateBucket(s3.ServiceUrl);
                }
                catch
                {
                    s3.Dispose();
                    throw;
                }

                return new BenchStorage(name, s3, new()
                {
                    ["Hoomi__Storage__Provider"] = "S3",
                    ["Hoomi__Storage__S3__Bucket"] = Bucket,
                    ["Hoomi__Storage__S3__Region"] = "us-east-1",
                    ["Hoomi__Storage__S3__ServiceUrl"] = s3.ServiceUrl,
                    ["Hoomi__Storage__S3__AccessKey"] = S3Emulator.AccessKey,
                    ["Hoomi__Storage__S3__SecretKey"] = S3Emulator.SecretKey,
                    ["Hoomi__Storage__S3__ForcePathStyle"] = "true",
                    ["Hoomi__Storage__S3__ChecksumsWhenRequiredOnly"] = "true",
                });
            default:
                throw new ArgumentException($"unknown storage '{name}': filesystem, gcs or s3");
        }
    }

    private static void CreateBucket(string serviceUrl)
    {
        using var client = new AmazonS3Client(
            new BasicAWSCredentials(S3Emulator.AccessKey, S3Emulator.SecretKey),
            new AmazonS3Config
            {
                ServiceURL = serviceUrl,
                ForcePathStyle = true,
                AuthenticationRegion = "us-east-1",
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
        // Also the warm-up: the first bucket of a fresh cluster is slow (the gateway creates its pools).
        client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket }).GetAwaiter().GetResult();
    }

    public void Dispose() => _emulator?.Dispose();
}
