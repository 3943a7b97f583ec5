using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Infrastructure.Storage;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Hoomi.Api.Tests.Operations;

/// <summary>
/// The background maintenance job itself (not its commands run by hand), on a fake clock over PostgreSQL: what a crashed
/// upload leaves — a temp file in the filesystem store's <c>.tmp</c> and a quota reservation — is cleaned by the job's
/// own schedule, and what may belong to an upload still running is kept.
/// </summary>
public sealed class MaintenanceJobTests
{
    [Test]
    public async Task The_job_deletes_stale_temp_files_and_releases_stale_reservations_on_its_schedule()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = HoomiApiFactory.OnPostgres(
            new Dictionary<string, string?> { ["Hoomi:Retention:RunJobs"] = "true" },
            services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                services.PostConfigureAll<BearerTokenOptions>(o => o.TimeProvider = TimeProvider.System);
            });
        var alice = await ApiClient.RegisterAsync(factory.CreateClient(), "alice");
        var crashed = await alice.CreateHoomiAsync("Crashed");
        var busy = await alice.CreateHoomiAsync("Busy");
        await using (var connection = new NpgsqlConnection(factory.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "UPDATE hoomis SET reserved_bytes = 5000, reserved_at = @old WHERE id = @crashed;" +
                "UPDATE hoomis SET reserved_bytes = 7000, reserved_at = @recent WHERE id = @busy;", connection);
            command.Parameters.AddWithValue("old", clock.GetUtcNow().AddDays(-2));
            command.Parameters.AddWithValue("recent", clock.GetUtcNow().AddHours(-1));
            command.Parameters.AddWithValue("crashed", crashed);
            command.Parameters.AddWithValue("busy", busy);
            await command.ExecuteNonQueryAsync();
        }

        var temp = Path.Combine(factory.BlobRoot, FileSystemBlobStore.TempFolderName);
        Directory.CreateDirectory(temp);
        var stale = Path.Combine(temp, Guid.NewGuid().ToString("N") + ".tmp");
        var running = Path.Combine(temp, Guid.NewGuid().ToString("N") + ".tmp");
        await File.WriteAllBytesAsync(stale, new byte[4096]);
        await File.WriteAllBytesAsync(running, new byte[4096]);
        File.SetLastWriteTimeUtc(stale, clock.GetUtcNow().UtcDateTime.AddDays(-2));

        // The purge group runs a minute after start, the sweep group after five; the job ticks every 30 s.
        for (var tick = 0; tick < 14 && (File.Exists(stale) || await ReservedAsync(factory, crashed) != 0); tick++)
        {
            clock.Advance(TimeSpan.FromSeconds(30));
            for (var wait = 0; wait < 20 && (File.Exists(stale) || await ReservedAsync(factory, crashed) != 0); wait++)
            {
                await Task.Delay(50);
            }
        }

        await WaitUntilAsync(() => !File.Exists(stale));
        Assert.That(File.Exists(stale), Is.False, "a temp file not written for longer than OrphanGracePeriod is deleted");
        Assert.That(File.Exists(running), Is.True, "a temp file still being written is kept");
        Assert.That(await ReservedAsync(factory, crashed), Is.Zero, "a reservation older than StaleReservationAfter is released");
        Assert.That(await ReservedAsync(factory, busy), Is.EqualTo(7000), "a recent reservation is kept");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }
    }

    private static async Task<long> ReservedAsync(HoomiApiFactory factory, Guid hoomiId)
    {
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT reserved_bytes FROM hoomis WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", hoomiId);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
