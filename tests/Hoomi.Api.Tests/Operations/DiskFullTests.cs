using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Api.Tests.Media;
using Hoomi.Testing;
using Npgsql;

namespace Hoomi.Api.Tests.Operations;

/// <summary>
/// The blob root on a real 2 MiB tmpfs (PostgreSQL): an upload that fills it is a 507 <c>insufficient-storage</c>, not a
/// 500, and leaves no row, no blob, no temp file and no reservation; once it is refused, an upload that fits goes through.
/// Skipped, saying why, where this machine cannot mount a tmpfs (not root).
/// </summary>
public sealed class DiskFullTests
{
    [Test]
    public async Task An_upload_that_fills_the_disk_is_507_and_leaves_nothing_half_written()
    {
        using var disk = SmallTmpfs.TryMount(2 * 1024 * 1024, out var whyNot);
        if (disk is null)
        {
            Assert.Ignore("No small filesystem to fill: " + whyNot);
        }

        using var factory = HoomiApiFactory.OnPostgres(new Dictionary<string, string?> { ["Hoomi:Storage:FileSystem:Root"] = disk.Path });
        var scene = await MediaScene.CreateAsync(factory);
        var upload = scene.NewUpload();
        upload.Ciphertext = MediaUpload.FakeCiphertext(4 * 1024 * 1024);

        var response = await scene.Alice.Http.PostAsync($"/hoomis/{scene.HoomiId}/media", upload.ToContent());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InsufficientStorage), await response.Content.ReadAsStringAsync());
        var problem = await ApiClient.ProblemOf(response);
        Assert.That(problem["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:insufficient-storage"));
        Assert.That(await CountRowsAsync(factory, upload.MediaId), Is.Zero, "no media row nor wrapped keys");
        Assert.That(Directory.GetFiles(disk.Path, "*", SearchOption.AllDirectories), Is.Empty, "no blob and no temp file on the full disk");
        Assert.That(await ReservedBytesAsync(factory, scene.HoomiId), Is.Zero, "the reservation was released");
        var hoomi = await scene.Alice.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{scene.HoomiId}");
        Assert.That(hoomi!["usedBytes"]!.GetValue<long>(), Is.Zero);
        Assert.That((await scene.Alice.Http.GetAsync($"/media/{upload.MediaId}/info")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        // The service answers again without a restart: a file that fits is stored, and the same media id can be retried.
        var small = scene.NewUpload();
        small.MediaId = upload.MediaId;
        await scene.UploadAsync(scene.Alice, small);
        Assert.That(await scene.Bob.Http.GetByteArrayAsync($"/media/{small.MediaId}"), Is.EqualTo(small.Ciphertext));
    }

    internal static async Task<long> CountRowsAsync(HoomiApiFactory factory, Guid mediaId)
    {
        await using var conn = new NpgsqlConnection(factory.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM media WHERE id = @id) + (SELECT count(*) FROM wrapped_keys WHERE media_id = @id)", conn);
        cmd.Parameters.AddWithValue("id", mediaId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    internal static async Task<long> ReservedBytesAsync(HoomiApiFactory factory, Guid hoomiId)
    {
        await using var conn = new NpgsqlConnection(factory.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT reserved_bytes FROM hoomis WHERE id = @id", conn);
        cmd.Parameters.AddWithValue("id", hoomiId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
