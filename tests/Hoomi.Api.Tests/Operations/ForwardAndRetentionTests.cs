using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Api.Tests.Media;
using Hoomi.Application.Events.Commands.PruneEventJournal;
using Hoomi.Application.Media.Commands.PurgeExpiredMedia;
using Hoomi.Application.Media.Commands.SweepOrphans;
using Hoomi.Application.Common.Interfaces;
using Mediator;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Hoomi.Api.Tests.Operations;

public sealed class ForwardAndRetentionTests
{
    private FakeTimeProvider _clock = null!;
    private HoomiApiFactory _factory = null!;
    private MediaScene _scene = null!;

    [SetUp]
    public async Task StartApi()
    {
        _clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _factory = HoomiApiFactory.OnPostgres(
            new Dictionary<string, string?> { ["Hoomi:Retention:RestoreWindow"] = "7.00:00:00", ["Hoomi:Retention:RunJobs"] = "false" },
            services =>
            {
                services.AddSingleton<TimeProvider>(_clock);
                // Sign-in tokens keep real time, so that moving the service's clock by days does not sign everyone out.
                services.PostConfigureAll<BearerTokenOptions>(o => o.TimeProvider = TimeProvider.System);
            });
        _scene = await MediaScene.CreateAsync(_factory);
    }

    [TearDown]
    public void StopApi() => _factory.Dispose();

    private async Task<Guid> SecondHoomiWithAliceAndCarolAsync(TestDeviceKey[] keys)
    {
        var target = await _scene.Alice.CreateHoomiAsync("Elsewhere");
        var carol = await ApiClient.RegisterAsync(_factory.CreateClient(), "carol");
        keys[0] = await carol.RegisterDeviceKeyAsync();
        await _scene.Alice.AddMemberAsync(target, carol);
        return target;
    }

    private async Task<HttpResponseMessage> ForwardAsync(Guid mediaId, Guid target, Guid newId, params TestDeviceKey[] recipients) =>
        await _scene.Alice.Http.PostAsJsonAsync($"/media/{mediaId}/forward", new JsonObject
        {
            ["targetHoomiId"] = target.ToString(),
            ["mediaId"] = newId.ToString(),
            ["wrappedKeys"] = MediaUpload.For(recipients).Metadata()["wrappedKeys"]!.DeepClone(),
        });

    [Test]
    public async Task A_forward_shares_the_blob_and_still_downloads_after_the_original_is_deleted_and_purged()
    {
        var original = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Bob, original);
        var carolKey = new TestDeviceKey[1];
        var target = await SecondHoomiWithAliceAndCarolAsync(carolKey);
        var forwardId = Guid.CreateVersion7();

        var missing = await ForwardAsync(original.MediaId, target, forwardId, _scene.AliceKey);
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "the target's member keys must all be wrapped for");
        var outsiderTarget = await _scene.Bob.Http.PostAsJsonAsync($"/media/{original.MediaId}/forward", new JsonObject
        {
            ["targetHoomiId"] = target.ToString(), ["mediaId"] = Guid.CreateVersion7().ToString(),
            ["wrappedKeys"] = MediaUpload.For(_scene.AliceKey, carolKey[0]).Metadata()["wrappedKeys"]!.DeepClone(),
        });
        Assert.That(outsiderTarget.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "bob is not a member of the target");

        var forwarded = await ForwardAsync(original.MediaId, target, forwardId, _scene.AliceKey, carolKey[0]);
        Assert.That(forwarded.StatusCode, Is.EqualTo(HttpStatusCode.Created), await forwarded.Content.ReadAsStringAsync());
        Assert.That(Directory.GetFiles(_factory.BlobRoot, "*", SearchOption.AllDirectories), Has.Length.EqualTo(1), "nothing was uploaded again");

        Assert.That((await _scene.Alice.Http.DeleteAsync($"/media/{original.MediaId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        _clock.Advance(TimeSpan.FromDays(8));
        var purge = await SendAsync(new PurgeExpiredMediaCommand());
        Assert.That(purge, Is.EqualTo(new PurgeResult(1, 0)), "the row goes, the shared blob stays");

        var body = await _scene.Alice.Http.GetByteArrayAsync($"/media/{forwardId}");
        Assert.That(body, Is.EqualTo(original.Ciphertext));
    }

    [Test]
    public async Task A_deleted_media_can_be_restored_within_the_window_by_the_uploader_but_not_by_another_member()
    {
        var upload = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, upload);
        Assert.That((await _scene.Alice.Http.DeleteAsync($"/media/{upload.MediaId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await _scene.Bob.Http.PostAsync($"/media/{upload.MediaId}/restore", null)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await _scene.Mallory.Http.PostAsync($"/media/{upload.MediaId}/restore", null)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        _clock.Advance(TimeSpan.FromDays(6));
        var restored = await _scene.Alice.Http.PostAsync($"/media/{upload.MediaId}/restore", null);
        Assert.That(restored.StatusCode, Is.EqualTo(HttpStatusCode.OK), await restored.Content.ReadAsStringAsync());
        Assert.That(await _scene.Bob.Http.GetByteArrayAsync($"/media/{upload.MediaId}"), Is.EqualTo(upload.Ciphertext));
    }

    [Test]
    public async Task The_purge_removes_everything_of_an_expired_deletion_and_nothing_else()
    {
        var expired = _scene.NewUpload();
        expired.Thumbnail = MediaUpload.FakeCiphertext(500);
        var recent = _scene.NewUpload();
        var live = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, expired);
        await _scene.UploadAsync(_scene.Alice, recent);
        await _scene.UploadAsync(_scene.Alice, live);
        await _scene.Alice.Http.DeleteAsync($"/media/{expired.MediaId}");
        _clock.Advance(TimeSpan.FromDays(5));
        await _scene.Alice.Http.DeleteAsync($"/media/{recent.MediaId}");
        _clock.Advance(TimeSpan.FromDays(3));

        var result = await SendAsync(new PurgeExpiredMediaCommand());
        Assert.That(result, Is.EqualTo(new PurgeResult(1, 2)), "one media, its content and thumbnail blobs");

        await using var conn = new NpgsqlConnection(_factory.ConnectionString);
        await conn.OpenAsync();
        async Task<long> Count(string sql, Guid id)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.AddWithValue("id", id);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await Count("SELECT count(*) FROM media WHERE id = @id", expired.MediaId), Is.Zero);
            Assert.That(await Count("SELECT count(*) FROM wrapped_keys WHERE media_id = @id", expired.MediaId), Is.Zero);
            Assert.That(await Count("SELECT count(*) FROM media WHERE id = @id", recent.MediaId), Is.EqualTo(1));
            Assert.That(await Count("SELECT count(*) FROM media WHERE id = @id", live.MediaId), Is.EqualTo(1));
            Assert.That(await Count("SELECT used_bytes FROM hoomis WHERE id = @id", _scene.HoomiId),
                Is.EqualTo(recent.Ciphertext.LongLength + live.Ciphertext.LongLength));
        });
        Assert.That(Directory.GetFiles(_factory.BlobRoot, "*", SearchOption.AllDirectories), Has.Length.EqualTo(2));
        Assert.That(await _scene.Alice.Http.GetByteArrayAsync($"/media/{live.MediaId}"), Is.EqualTo(live.Ciphertext));
    }

    [Test]
    public async Task The_orphan_sweep_removes_a_planted_orphan_past_the_grace_period_and_leaves_live_blobs()
    {
        var live = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, live);
        var blobs = _factory.Services.GetRequiredService<IBlobStore>();
        var orphanKey = $"media/{_scene.HoomiId}/{Guid.CreateVersion7()}";
        await blobs.PutAsync(orphanKey, new MemoryStream(MediaUpload.FakeCiphertext(10)), CancellationToken.None);

        var early = await SendAsync(new SweepOrphansCommand());
        Assert.That(early.OrphansDeleted, Is.Empty, "a young blob may be an upload still committing");

        _clock.Advance(TimeSpan.FromHours(25));
        var swept = await SendAsync(new SweepOrphansCommand());
        Assert.Multiple(async () =>
        {
            Assert.That(swept.OrphansDeleted, Is.EqualTo(new[] { orphanKey }));
            Assert.That(swept.MediaWithMissingBlob, Is.Empty);
            Assert.That(await blobs.ExistsAsync(orphanKey, CancellationToken.None), Is.False);
        });
        Assert.That(await _scene.Alice.Http.GetByteArrayAsync($"/media/{live.MediaId}"), Is.EqualTo(live.Ciphertext));
    }

    [Test]
    public async Task The_event_journal_is_pruned_after_its_retention_and_an_expired_cursor_gets_410()
    {
        await _scene.UploadAsync(_scene.Alice, _scene.NewUpload());
        var early = (await _scene.Bob.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{_scene.HoomiId}/events"))!["items"]!.AsArray();
        Assert.That(early, Has.Count.GreaterThanOrEqualTo(2));
        var firstCursor = early[0]!["cursor"]!.GetValue<string>();

        _clock.Advance(TimeSpan.FromDays(31));
        await _scene.UploadAsync(_scene.Alice, _scene.NewUpload());
        var pruned = await SendAsync(new PruneEventJournalCommand());
        Assert.That(pruned, Is.EqualTo(early.Count), "every entry older than the retention goes");

        var expired = await _scene.Bob.Http.GetAsync($"/hoomis/{_scene.HoomiId}/events?after={firstCursor}");
        Assert.That(expired.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
        Assert.That((await ApiClient.ProblemOf(expired))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:cursor-expired"));

        var lastEarly = early[^1]!["cursor"]!.GetValue<string>();
        var fresh = (await _scene.Bob.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{_scene.HoomiId}/events?after={lastEarly}"))!["items"]!.AsArray();
        Assert.That(fresh.Select(e => e!["type"]!.GetValue<string>()), Is.EqualTo(new[] { "MediaUploaded" }), "the newest entries stay and continue the count");
    }

    private async Task<T> SendAsync<T>(ICommand<T> command)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(command);
    }
}
