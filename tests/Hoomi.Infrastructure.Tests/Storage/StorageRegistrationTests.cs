using Hoomi.Testing;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Hoomi.Infrastructure.Tests.Storage;

public sealed class StorageRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddBlobStorage(configuration).BuildServiceProvider();
    }

    [Test]
    public void The_filesystem_store_is_the_default()
    {
        using var sp = Build([]);

        var store = sp.GetRequiredService<IBlobStore>();

        Assert.That(store, Is.InstanceOf<FileSystemBlobStore>());
        Assert.That(((FileSystemBlobStore)store).Root, Is.EqualTo(Path.GetFullPath("./data/blobs")));
        Assert.That(sp.GetRequiredService<IBlobStore>(), Is.SameAs(store), "one instance per process");
    }

    [TestCase("Gcs", "Hoomi:Storage:Gcs:Bucket is required")]
    [TestCase("S3", "Hoomi:Storage:S3:Bucket is required")]
    public void A_cloud_provider_without_a_bucket_fails_validation_with_the_key_name(string provider, string message)
    {
        using var sp = Build(new() { ["Hoomi:Storage:Provider"] = provider });

        var error = Assert.Throws<OptionsValidationException>(() => _ = sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value);

        Assert.That(error!.Message, Does.Contain(message));
    }

    [Test]
    public void Bad_gcs_chunk_size_and_half_s3_credentials_are_rejected()
    {
        using var gcs = Build(new() { ["Hoomi:Storage:Provider"] = "Gcs", ["Hoomi:Storage:Gcs:Bucket"] = "b", ["Hoomi:Storage:Gcs:ChunkSizeBytes"] = "1000" });
        Assert.That(
            Assert.Throws<OptionsValidationException>(() => _ = gcs.GetRequiredService<IOptions<BlobStorageOptions>>().Value)!.Message,
            Does.Contain("ChunkSizeBytes"));

        using var s3 = Build(new() { ["Hoomi:Storage:Provider"] = "S3", ["Hoomi:Storage:S3:Bucket"] = "b", ["Hoomi:Storage:S3:Region"] = "eu-west-1", ["Hoomi:Storage:S3:AccessKey"] = "k" });
        Assert.That(
            Assert.Throws<OptionsValidationException>(() => _ = s3.GetRequiredService<IOptions<BlobStorageOptions>>().Value)!.Message,
            Does.Contain("AccessKey and Hoomi:Storage:S3:SecretKey go together"));
    }

    [Test]
    public void Configuration_picks_the_s3_store_with_its_settings()
    {
        using var sp = Build(new()
        {
            ["Hoomi:Storage:Provider"] = "S3",
            ["Hoomi:Storage:S3:Bucket"] = "media",
            ["Hoomi:Storage:S3:ServiceUrl"] = "http://127.0.0.1:9000",
            ["Hoomi:Storage:S3:ForcePathStyle"] = "true",
            ["Hoomi:Storage:S3:AccessKey"] = "k",
            ["Hoomi:Storage:S3:SecretKey"] = "s",
        });

        Assert.That(sp.GetRequiredService<IBlobStore>(), Is.InstanceOf<S3BlobStore>());
    }

    [Test]
    public async Task The_health_check_is_healthy_when_the_store_answers_and_unhealthy_when_it_is_down()
    {
        var root = Path.Combine(Path.GetTempPath(), "hoomi-health-" + Guid.NewGuid().ToString("N")[..8]);
        var healthy = await new BlobStoreHealthCheck(new FileSystemBlobStore(root)).CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("blobs", _ => null!, HealthStatus.Unhealthy, null),
        });
        Assert.That(healthy.Status, Is.EqualTo(HealthStatus.Healthy));

        // Nothing listens on a freshly freed port.
        using var down = new S3BlobStore(new S3BlobStorageOptions
        {
            Bucket = "b",
            ServiceUrl = $"http://127.0.0.1:{Hoomi.Testing.ExternalProcess.FreeTcpPort()}",
            AccessKey = "k",
            SecretKey = "s",
            ForcePathStyle = true,
            MaxErrorRetry = 0,
        });
        var unhealthy = await new BlobStoreHealthCheck(down).CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("blobs", _ => null!, HealthStatus.Unhealthy, null),
        });
        Assert.That(unhealthy.Status, Is.EqualTo(HealthStatus.Unhealthy));
    }

    [Test]
    public async Task Stale_temp_files_of_the_filesystem_store_are_swept_and_fresh_ones_kept()
    {
        var store = new FileSystemBlobStore(Path.Combine(Path.GetTempPath(), "hoomi-sweep-" + Guid.NewGuid().ToString("N")[..8]));
        try
        {
            await store.PutAsync("media/a/b", new PatternStream(10, 1), CancellationToken.None);
            Directory.CreateDirectory(store.TempDirectory);
            var stale = Path.Combine(store.TempDirectory, "stale.tmp");
            var fresh = Path.Combine(store.TempDirectory, "fresh.tmp");
            await File.WriteAllTextAsync(stale, "x");
            await File.WriteAllTextAsync(fresh, "x");
            File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-2));

            Assert.That(store.DeleteStaleTempFiles(TimeSpan.FromDays(1)), Is.EqualTo(1));
            Assert.That(File.Exists(fresh), Is.True);
            Assert.That(File.Exists(stale), Is.False);

            var listed = new List<string>();
            await foreach (var item in store.ListAsync("", CancellationToken.None))
            {
                listed.Add(item.Key);
            }

            Assert.That(listed, Is.EqualTo(new[] { "media/a/b" }), "temp files never show in a listing");
        }
        finally
        {
            Directory.Delete(store.Root, recursive: true);
        }
    }
}
