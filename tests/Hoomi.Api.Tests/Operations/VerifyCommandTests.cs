using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Api.Tests.Media;
using Hoomi.Infrastructure.Storage;
using Npgsql;

namespace Hoomi.Api.Tests.Operations;

/// <summary>
/// <c>admin verify [--fix]</c> as its own process (the built Hoomi.Api, configured by environment variables as an operator
/// would) over PostgreSQL and the filesystem store, after drift introduced by hand: a lost content blob, a lost thumbnail,
/// an orphan blob, a wrong used_bytes, a stale reservation and a stale temp file.
/// </summary>
public sealed class VerifyCommandTests
{
    [Test]
    public async Task Verify_reports_every_kind_of_drift_changes_nothing_and_fix_repairs_it()
    {
        using var factory = HoomiApiFactory.OnPostgres(new Dictionary<string, string?>
        {
            ["Hoomi:Retention:RunJobs"] = "false",
        });
        var scene = await MediaScene.CreateAsync(factory);
        var lost = scene.NewUpload();
        lost.Thumbnail = MediaUpload.FakeCiphertext(500);
        var thumbless = scene.NewUpload();
        thumbless.Thumbnail = MediaUpload.FakeCiphertext(500);
        var fine = scene.NewUpload();
        foreach (var u in new[] { lost, thumbless, fine })
        {
            await scene.UploadAsync(scene.Alice, u);
        }

        var folder = Path.Combine(factory.BlobRoot, "media", scene.HoomiId.ToString());
        var expectedUsed = new[] { lost, thumbless, fine }.Sum(u => (long)u.Ciphertext.Length + (u.Thumbnail?.Length ?? 0));
        File.Delete(Path.Combine(folder, lost.MediaId.ToString()));
        File.Delete(Path.Combine(folder, thumbless.MediaId + ".thumb"));
        var orphan = Path.Combine(folder, Guid.CreateVersion7().ToString());
        await File.WriteAllBytesAsync(orphan, new byte[777]);
        File.SetLastWriteTimeUtc(orphan, DateTime.UtcNow.AddDays(-2));
        var youngOrphan = Path.Combine(folder, Guid.CreateVersion7().ToString());
        await File.WriteAllBytesAsync(youngOrphan, new byte[10]);
        var temp = Path.Combine(factory.BlobRoot, FileSystemBlobStore.TempFolderName, "crashed.tmp");
        Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
        await File.WriteAllBytesAsync(temp, new byte[100]);
        File.SetLastWriteTimeUtc(temp, DateTime.UtcNow.AddDays(-2));
        await ExecAsync(factory, "UPDATE hoomis SET used_bytes = used_bytes + 12345, reserved_bytes = 5000, reserved_at = now() - interval '2 days' WHERE id = @h", scene.HoomiId);

        // Report only: exit 1, every drift named, nothing changed.
        var (code, report) = await AdminAsync(factory, "verify");
        Assert.That(code, Is.EqualTo(1), report.ToJsonString());
        var missing = report["missingBlobs"]!.AsArray().Select(m => (m!["mediaId"]!.GetValue<Guid>(), m["part"]!.GetValue<string>())).ToList();
        Assert.That(missing, Is.EquivalentTo(new[] { (lost.MediaId, "content"), (thumbless.MediaId, "thumbnail") }));
        Assert.That(report["orphanBlobs"]!.AsArray().Select(o => o!["key"]!.GetValue<string>()),
            Is.EqualTo(new[] { $"media/{scene.HoomiId}/{Path.GetFileName(orphan)}" }));
        Assert.That(report["recentUnreferencedBlobs"]!.GetValue<int>(), Is.EqualTo(1), "a young unreferenced blob may be an upload committing");
        var drift = report["usageDrift"]!.AsArray().Single()!;
        Assert.That(drift["usedBytes"]!.GetValue<long>(), Is.EqualTo(expectedUsed + 12345));
        Assert.That(drift["expectedBytes"]!.GetValue<long>(), Is.EqualTo(expectedUsed));
        Assert.That(report["staleReservations"]!.AsArray().Single()!["reservedBytes"]!.GetValue<long>(), Is.EqualTo(5000));
        Assert.That(File.Exists(orphan) && File.Exists(temp), Is.True, "verify alone deletes nothing");
        Assert.That((await scene.Alice.Http.GetAsync($"/media/{lost.MediaId}/info")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // Repair.
        (code, report) = await AdminAsync(factory, "verify", "--fix");
        Assert.That(code, Is.Zero, report.ToJsonString());
        Assert.That(report["staleTempFilesDeleted"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That((await scene.Alice.Http.GetAsync($"/media/{lost.MediaId}/info")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound),
            "a row whose content is lost is hidden");
        Assert.That((await scene.Bob.Http.GetAsync($"/media/{thumbless.MediaId}/info")).StatusCode, Is.EqualTo(HttpStatusCode.OK),
            "a lost thumbnail leaves its item");
        Assert.That(await scene.Bob.Http.GetByteArrayAsync($"/media/{fine.MediaId}"), Is.EqualTo(fine.Ciphertext));
        Assert.That(File.Exists(orphan), Is.False);
        Assert.That(File.Exists(youngOrphan), Is.True);
        Assert.That(File.Exists(temp), Is.False);
        var hoomi = (await scene.Alice.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{scene.HoomiId}"))!;
        Assert.That(hoomi["usedBytes"]!.GetValue<long>(), Is.EqualTo(expectedUsed), "deleted rows count until the purge frees them");
        Assert.That(await DiskFullTests.ReservedBytesAsync(factory, scene.HoomiId), Is.Zero);
        var events = (await scene.Bob.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{scene.HoomiId}/events?after=0"))!["items"]!.AsArray();
        Assert.That(events.Any(e => e!["type"]!.GetValue<string>() == "MediaDeleted" && e["mediaId"]!.GetValue<Guid>() == lost.MediaId), Is.True,
            "members learn of the removal through the journal");

        // Nothing left to repair (the lost thumbnail stays reported).
        (code, report) = await AdminAsync(factory, "verify");
        Assert.That(code, Is.Zero, report.ToJsonString());
        Assert.That(report["clean"]!.GetValue<bool>(), Is.True);
    }

    private static async Task ExecAsync(HoomiApiFactory factory, string sql, Guid hoomiId)
    {
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("h", hoomiId);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs the built service's admin command in its own process with the factory's database and blob root.</summary>
    private static async Task<(int ExitCode, JsonObject Report)> AdminAsync(HoomiApiFactory factory, params string[] args)
    {
        var dll = typeof(Program).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("admin");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["Hoomi__Database__Provider"] = "Postgres";
        psi.Environment["Hoomi__Database__ConnectionString"] = factory.ConnectionString;
        psi.Environment["Hoomi__Storage__Provider"] = "FileSystem";
        psi.Environment["Hoomi__Storage__FileSystem__Root"] = factory.BlobRoot;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        var json = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.TrimStart().StartsWith('{'));
        Assert.That(json, Is.Not.Null, $"no JSON report; stdout: {output} stderr: {await stderr}");
        return (process.ExitCode, JsonNode.Parse(json!)!.AsObject());
    }
}
