using Hoomi.Testing;
using System.Diagnostics;
using System.Net;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Media.Commands.SweepOrphans;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hoomi.Api.Tests.Media;

/// <summary>
/// The cloud store dying in the middle of an upload, seen through the API: 503 with Retry-After, no media
/// row, and once the store is back no object under <c>media/</c> (nothing for the orphan sweep either).
/// GCS: the emulator's outage switch (its data survives). S3: the gateway process is killed by PID and
/// started again on the same port (the Ceph cluster and its data survive).
/// </summary>
[TestFixtureSource(typeof(StorageEmulators), nameof(StorageEmulators.CloudProviders))]
public sealed class MediaStorageOutageTests(string provider)
{
    private HoomiApiFactory _factory = null!;
    private MediaScene _scene = null!;

    [OneTimeSetUp]
    public async Task StartApi()
    {
        // No grace period, so that the sweep's dry run would list even a second-old orphan.
        _factory = HoomiApiFactory.OnPostgres(StorageEmulators.SettingsFor(
            provider, new Dictionary<string, string?> { ["Hoomi:Retention:OrphanGracePeriod"] = "00:00:00" }));
        _scene = await MediaScene.CreateAsync(_factory);
    }

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    private Task StartOutageAsync()
    {
        if (provider == "Gcs")
        {
            return StorageEmulators.Gcs.StartOutageAsync();
        }

        StorageEmulators.S3.KillGateway();
        return Task.CompletedTask;
    }

    private Task EndOutageAsync()
    {
        if (provider == "Gcs")
        {
            return StorageEmulators.Gcs.EndOutageAsync();
        }

        StorageEmulators.S3.StartGateway();
        return Task.CompletedTask;
    }

    [Test]
    public async Task An_upload_cut_off_by_a_storage_outage_is_503_with_retry_after_and_leaves_no_row_nor_object()
    {
        var upload = _scene.NewUpload();
        upload.Ciphertext = MediaUpload.FakeCiphertext(24 * 1024 * 1024);
        // Fired once the API has read 10 MiB of the file: past the first 8 MiB GCS chunk / S3 part.
        var source = new TriggerStream(new MemoryStream(upload.Ciphertext), 10 * 1024 * 1024, StartOutageAsync);
        HttpResponseMessage response;
        var watch = Stopwatch.StartNew();
        try
        {
            response = await _scene.Alice.Http.PostAsync($"/hoomis/{_scene.HoomiId}/media", upload.ToContent(source));
        }
        finally
        {
            await EndOutageAsync();
        }

        TestContext.Progress.WriteLine($"[{provider}] outage answered {(int)response.StatusCode} after {watch.Elapsed.TotalSeconds:F1} s");
        Assert.That(source.Fired, Is.True, "the outage began while the file was being read");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.RetryAfter?.Delta, Is.Not.Null.And.GreaterThan(TimeSpan.Zero));
        Assert.That((await ApiClient.ProblemOf(response))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:storage-unavailable"));

        Assert.That(await CountRowsAsync(upload.MediaId), Is.Zero, "no media row for the failed upload");
        var blobs = _factory.Services.GetRequiredService<IBlobStore>();
        Assert.That(await ListMediaAsync(blobs), Is.Empty, "objects left behind once the store is back");
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var sweep = await scope.ServiceProvider.GetRequiredService<ISender>().Send(new SweepOrphansCommand(DryRun: true));
            Assert.That(sweep.OrphansDeleted, Is.Empty, "orphans the sweep would delete");
        }

        // The same upload, retried once the store is back, goes through, and the listing above does see it.
        await _scene.UploadAsync(_scene.Alice, upload);
        Assert.That(await _scene.Bob.Http.GetByteArrayAsync($"/media/{upload.MediaId}"), Is.EqualTo(upload.Ciphertext));
        Assert.That(await ListMediaAsync(blobs), Has.Count.EqualTo(1));
    }

    private static async Task<List<string>> ListMediaAsync(IBlobStore blobs)
    {
        var keys = new List<string>();
        await foreach (var blob in blobs.ListAsync("media/", CancellationToken.None))
        {
            keys.Add(blob.Key);
        }

        return keys;
    }

    private async Task<long> CountRowsAsync(Guid mediaId)
    {
        await using var conn = new NpgsqlConnection(_factory.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM media WHERE id = @id) + (SELECT count(*) FROM wrapped_keys WHERE media_id = @id)", conn);
        cmd.Parameters.AddWithValue("id", mediaId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
