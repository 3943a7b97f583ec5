using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Application.Media.Commands.PurgeExpiredMedia;
using Mediator;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Hoomi.Api.Tests.Media;

/// <summary>
/// Races and leftovers (PostgreSQL): a restore racing the purge, a blob left by a crashed upload, and an id
/// used in a hoomi the caller cannot see. Every one answers 409 or succeeds, never 500, and reveals nothing.
/// </summary>
public sealed class IntegrityRaceTests
{
    /// <summary>Runs an action once, from its own connection, just before the first command whose text matches.</summary>
    private sealed class BeforeCommand : DbCommandInterceptor
    {
        private Func<string, bool>? _match;
        private Func<Task>? _action;

        public void Arm(Func<string, bool> match, Func<Task> action) => (_match, _action) = (match, action);

        private async Task RunAsync(DbCommand command)
        {
            var (match, action) = (_match, _action);
            if (match is not null && action is not null && match(command.CommandText))
            {
                (_match, _action) = (null, null);
                await action();
            }
        }

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            await RunAsync(command);
            return result;
        }

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            await RunAsync(command);
            return result;
        }
    }

    private readonly BeforeCommand _before = new();
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
                services.PostConfigureAll<BearerTokenOptions>(o => o.TimeProvider = TimeProvider.System);
                services.AddSingleton<IInterceptor>(_before);
            });
        _scene = await MediaScene.CreateAsync(_factory);
    }

    [TearDown]
    public void StopApi() => _factory.Dispose();

    private async Task SqlAsync(string sql, Guid id)
    {
        await using var connection = new NpgsqlConnection(_factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<T> SendAsync<T>(ICommand<T> command)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(command);
    }

    private string BlobPath(string key) => Path.Combine(_factory.BlobRoot, key.Replace('/', Path.DirectorySeparatorChar));

    [Test]
    public async Task A_restore_that_loses_the_race_to_the_purge_is_409_not_500()
    {
        var upload = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, upload);
        Assert.That((await _scene.Alice.Http.DeleteAsync($"/media/{upload.MediaId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        // The purge (another instance, say) removes the row between the restore's read and its write.
        _before.Arm(sql => sql.Contains("UPDATE media", StringComparison.Ordinal) && sql.Contains("deleted_at", StringComparison.Ordinal),
            () => SqlAsync("DELETE FROM media WHERE id = @id", upload.MediaId));
        var restore = await _scene.Alice.Http.PostAsync($"/media/{upload.MediaId}/restore", null);

        Assert.That(restore.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), await restore.Content.ReadAsStringAsync());
        Assert.That((await ApiClient.ProblemOf(restore))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:concurrent-change"));
    }

    [Test]
    public async Task A_purge_that_loses_the_race_to_a_restore_leaves_the_restored_media_and_its_blob()
    {
        var upload = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, upload);
        Assert.That((await _scene.Alice.Http.DeleteAsync($"/media/{upload.MediaId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        _clock.Advance(TimeSpan.FromDays(8));

        // A restore commits between the purge's read of the batch and its delete.
        _before.Arm(sql => sql.StartsWith("DELETE FROM media", StringComparison.Ordinal),
            () => SqlAsync("UPDATE media SET deleted_at = NULL, deleted_by = NULL WHERE id = @id", upload.MediaId));
        var purge = await SendAsync(new PurgeExpiredMediaCommand());

        Assert.That(purge, Is.EqualTo(new PurgeResult(0, 0)), "nothing purged, no blob deleted");
        Assert.That(await _scene.Bob.Http.GetByteArrayAsync($"/media/{upload.MediaId}"), Is.EqualTo(upload.Ciphertext));
        var usage = (await _scene.Alice.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{_scene.HoomiId}"))!["usedBytes"]!.GetValue<long>();
        Assert.That(usage, Is.EqualTo(upload.Ciphertext.LongLength), "the usage was not decremented");
    }

    [Test]
    public async Task A_retry_after_a_crash_mid_upload_succeeds_despite_the_leftover_blob_and_removes_it()
    {
        var upload = _scene.NewUpload();
        // What a crash between the blob write and the row commit leaves: a complete blob under the id's key, no row.
        var leftover = BlobPath($"media/{_scene.HoomiId:D}/{upload.MediaId:D}");
        Directory.CreateDirectory(Path.GetDirectoryName(leftover)!);
        await File.WriteAllBytesAsync(leftover, MediaUpload.FakeCiphertext(1000));

        var created = await _scene.UploadAsync(_scene.Alice, upload);
        Assert.That(created["id"]!.GetValue<string>(), Is.EqualTo(upload.MediaId.ToString()));
        Assert.That(await _scene.Bob.Http.GetByteArrayAsync($"/media/{upload.MediaId}"), Is.EqualTo(upload.Ciphertext), "the new content, not the leftover");
        Assert.That(File.Exists(leftover), Is.False, "the leftover, referenced by no row, was removed once the upload committed");
        Assert.That(Directory.GetFiles(_factory.BlobRoot, "*", SearchOption.AllDirectories).Where(f => !f.Contains(".tmp", StringComparison.Ordinal)), Has.Exactly(1).Items);

        var again = await _scene.Alice.Http.PostAsync($"/hoomis/{_scene.HoomiId}/media", upload.ToContent());
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a further retry is the usual idempotent answer");
    }

    [Test]
    public async Task An_id_used_in_a_hoomi_the_caller_cannot_see_gets_the_same_answer_as_any_taken_id()
    {
        var upload = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, upload);

        // Mallory, outside alice's hoomi, in a hoomi of her own, wrapping for her own keys.
        var hers = await _scene.Mallory.CreateHoomiAsync("Mine");
        var members = (await _scene.Mallory.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{hers}/members"))!["items"]!.AsArray();
        var probe = new MediaUpload { MediaId = upload.MediaId };
        probe.RecipientKeyIds.AddRange(members.SelectMany(m => m!["keys"]!.AsArray().Select(k => k!["keyId"]!.GetValue<string>())));
        var foreign = await _scene.Mallory.Http.PostAsync($"/hoomis/{hers}/media", probe.ToContent());

        // Alice reusing her own id for other content.
        var other = _scene.NewUpload();
        other.MediaId = upload.MediaId;
        var own = await _scene.Alice.Http.PostAsync($"/hoomis/{_scene.HoomiId}/media", other.ToContent());

        Assert.That(foreign.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        var (a, b) = (Comparable(await ApiClient.ProblemOf(foreign)), Comparable(await ApiClient.ProblemOf(own)));
        Assert.That(a.ToJsonString(), Is.EqualTo(b.ToJsonString()), "nothing tells an id of another hoomi from any taken id");
        Assert.That(a.ToJsonString(), Does.Not.Contain(_scene.HoomiId.ToString()));
    }

    [Test]
    public async Task A_forward_to_an_id_of_another_hoomi_gets_the_same_answer_as_an_upload_to_it()
    {
        var upload = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, upload);
        var second = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, second);

        var forward = await _scene.Alice.Http.PostAsJsonAsync($"/media/{second.MediaId}/forward", new JsonObject
        {
            ["targetHoomiId"] = _scene.HoomiId.ToString(),
            ["mediaId"] = upload.MediaId.ToString(),
            ["wrappedKeys"] = MediaUpload.For(_scene.AliceKey, _scene.BobKey).Metadata()["wrappedKeys"]!.DeepClone(),
        });
        var reupload = _scene.NewUpload();
        reupload.MediaId = upload.MediaId;
        var upload409 = await _scene.Alice.Http.PostAsync($"/hoomis/{_scene.HoomiId}/media", reupload.ToContent());

        Assert.That(forward.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(Comparable(await ApiClient.ProblemOf(forward)).ToJsonString(), Is.EqualTo(Comparable(await ApiClient.ProblemOf(upload409)).ToJsonString()));
    }

    /// <summary>A problem without what differs per request anyway (trace id, instance).</summary>
    private static JsonObject Comparable(JsonObject problem)
    {
        var copy = problem.DeepClone().AsObject();
        copy.Remove("traceId");
        copy.Remove("instance");
        return copy;
    }
}
