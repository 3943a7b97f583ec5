using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Api.Tests.Media;
using Hoomi.Application.Media.Commands.SweepOrphans;
using Hoomi.Testing;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace Hoomi.Api.Tests.Operations;

/// <summary>
/// PostgreSQL killed in the middle of an upload (<c>pg_ctl stop -m immediate</c> on a cluster of this fixture's own, so no
/// other test loses its database) and started again: the upload is a 503 with Retry-After, no media row, no blob, the
/// reservation it held is released once the database is back, and the service answers again without a restart.
/// </summary>
public sealed class DatabaseOutageTests
{
    private PostgresServer _postgres = null!;
    private HoomiApiFactory _factory = null!;
    private MediaScene _scene = null!;

    [OneTimeSetUp]
    public async Task StartApi()
    {
        _postgres = PostgresServer.Start(durableCommits: true);
        if (!_postgres.IsOwn)
        {
            Assert.Ignore("HOOMI_TEST_POSTGRES points at an external server, which the tests do not stop.");
        }

        _factory = HoomiApiFactory.OnPostgres(_postgres, new Dictionary<string, string?>
        {
            ["Hoomi:Retention:RunJobs"] = "false",
            ["Hoomi:Retention:OrphanGracePeriod"] = "00:00:00",
        });
        _scene = await MediaScene.CreateAsync(_factory);
    }

    [OneTimeTearDown]
    public void StopApi()
    {
        _factory?.Dispose();
        _postgres?.Dispose();
    }

    [Test]
    public async Task An_upload_cut_off_by_a_database_crash_is_503_leaves_nothing_and_the_service_recovers_on_its_own()
    {
        var upload = _scene.NewUpload();
        upload.Ciphertext = MediaUpload.FakeCiphertext(8 * 1024 * 1024);
        var source = new TriggerStream(new MemoryStream(upload.Ciphertext), 2 * 1024 * 1024, () => Task.Run(_postgres.Kill));
        HttpResponseMessage response;
        try
        {
            response = await _scene.Alice.Http.PostAsync($"/hoomis/{_scene.HoomiId}/media", upload.ToContent(source));
        }
        finally
        {
            _postgres.StartAgain();
        }

        Assert.That(source.Fired, Is.True, "the database died while the file was being read");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), await response.Content.ReadAsStringAsync());
        Assert.That((await ApiClient.ProblemOf(response))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:database-unavailable"));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.Not.Null);

        // The service answers again by itself: readiness, then reads, with no restart of the API.
        await EventuallyAsync(async () => (await _factory.CreateClient().GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "ready again");
        await EventuallyAsync(async () => (await _scene.Alice.Http.GetAsync($"/hoomis/{_scene.HoomiId}")).StatusCode == HttpStatusCode.OK, "reads again");

        // Nothing half-visible, nothing leaked.
        Assert.That(await DiskFullTests.CountRowsAsync(_factory, upload.MediaId), Is.Zero, "no media row nor wrapped keys");
        Assert.That((await _scene.Bob.Http.GetAsync($"/media/{upload.MediaId}/info")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(Directory.GetFiles(_factory.BlobRoot, "*", SearchOption.AllDirectories), Is.Empty, "no blob and no temp file");
        await EventuallyAsync(async () => await DiskFullTests.ReservedBytesAsync(_factory, _scene.HoomiId) == 0,
            "the reservation the failed upload could not release is released once the database is back");
        var listing = (await _scene.Bob.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{_scene.HoomiId}/media"))!["items"]!.AsArray();
        Assert.That(listing, Is.Empty);
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var sweep = await scope.ServiceProvider.GetRequiredService<ISender>().Send(new SweepOrphansCommand(DryRun: true));
            Assert.That(sweep.OrphansDeleted, Is.Empty, "nothing for the orphan sweep");
        }

        // The same upload, retried, goes through.
        await _scene.UploadAsync(_scene.Alice, upload);
        Assert.That(await _scene.Bob.Http.GetByteArrayAsync($"/media/{upload.MediaId}"), Is.EqualTo(upload.Ciphertext));
        var hoomi = (await _scene.Alice.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{_scene.HoomiId}"))!;
        Assert.That(hoomi["usedBytes"]!.GetValue<long>(), Is.EqualTo(upload.Ciphertext.Length), "usage counts the retried upload once");
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 60; i++)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Npgsql.NpgsqlException)
            {
                // The test's own connections to the restarted server may be stale too.
            }

            await Task.Delay(500);
        }

        Assert.Fail($"not {what} within 30 s");
    }
}
