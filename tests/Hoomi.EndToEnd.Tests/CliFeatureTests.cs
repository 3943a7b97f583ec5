using System.Diagnostics;
using System.Text.Json;
using Hoomi.Cli;
using Hoomi.Client.Storage;
using Hoomi.EndToEnd.Tests.Infrastructure;

namespace Hoomi.EndToEnd.Tests;

/// <summary>Catch-up after a reconnect, forwarding, thumbnails, key revocation, and the built CLI as its own process.</summary>
public sealed partial class CliEndToEndTests
{
    private sealed record Watcher(LineSignallingWriter Out, LineSignallingWriter Error, CancellationTokenSource Stop, Task<int> Exit) : IDisposable
    {
        public int Count(string needle) => Out.Lines.Count(l => l.Contains(needle, StringComparison.Ordinal));

        public void Dispose()
        {
            Stop.Dispose();
            Out.Dispose();
            Error.Dispose();
        }
    }

    private static async Task<Watcher> StartWatchAsync(Uri server, string home, Guid hoomiId)
    {
        var stdout = new LineSignallingWriter();
        var stderr = new LineSignallingWriter();
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exit = HoomiCli.RunAsync(["watch", hoomiId.ToString(), "--json", "--server", server.ToString(), "--home", home], CliEnvironment.ForWriters(stdout, stderr), stop.Token);
        await stderr.FirstLineContaining("Watching").WaitAsync(TimeSpan.FromSeconds(15));
        return new Watcher(stdout, stderr, stop, exit);
    }

    private static async Task<Guid> UploadAsync(TestUser user, Guid hoomiId, string marker)
    {
        using var content = new MemoryStream(Plaintext.WithMarker(2_000, marker));
        return (await user.Client.UploadAsync(hoomiId, content, new Hoomi.Client.UploadOptions(marker + ".jpg", "image/jpeg"))).Id;
    }

    [Test]
    public async Task Watch_prints_what_happened_while_it_was_disconnected_once_and_resumes_from_its_cursor_next_run()
    {
        using var heidi = await TestUser.CreateAsync(_api, "heidi");
        var hoomiId = (await heidi.Client.CreateHoomiAsync("Flaky")).Id;
        using var proxy = new TcpProxy(_api.BaseAddress);
        // The watcher talks to the API through the proxy; its session names the proxy because tokens go only to the
        // server they were issued for.
        var home = Path.Combine(_work, "heidi-watcher");
        new HoomiHome(home).SaveSession(heidi.Client.Home.LoadSession()! with { Server = proxy.Address });

        using (var watcher = await StartWatchAsync(proxy.Address, home, hoomiId))
        {
            var live = await UploadAsync(heidi, hoomiId, "LIVE");
            await watcher.Out.FirstLineContaining(live.ToString()).WaitAsync(TimeSpan.FromSeconds(10));

            proxy.Disconnect();
            await watcher.Error.FirstLineContaining("reconnecting").WaitAsync(TimeSpan.FromSeconds(10));
            var first = await UploadAsync(heidi, hoomiId, "MISSED-1");
            var second = await UploadAsync(heidi, hoomiId, "MISSED-2");
            Assert.That(watcher.Count(first.ToString()) + watcher.Count(second.ToString()), Is.Zero, "nothing can arrive while cut off");
            proxy.Reconnect();

            await watcher.Out.FirstLineContaining(second.ToString()).WaitAsync(TimeSpan.FromSeconds(20));
            // The summary follows the events it counts, so it may land a moment after the last one.
            var caughtUp = await watcher.Error.FirstLineContaining("Caught up").WaitAsync(TimeSpan.FromSeconds(10));
            await watcher.Stop.CancelAsync();
            Assert.That(await watcher.Exit, Is.Zero, watcher.Error.ToString());

            var lines = watcher.Out.Lines;
            Assert.That(new[] { watcher.Count(live.ToString()), watcher.Count(first.ToString()), watcher.Count(second.ToString()) }, Is.EqualTo(new[] { 1, 1, 1 }), string.Join('\n', lines));
            Assert.That(lines.FindIndex(l => l.Contains(first.ToString(), StringComparison.Ordinal)),
                Is.LessThan(lines.FindIndex(l => l.Contains(second.ToString(), StringComparison.Ordinal))), "in journal order");
            Assert.That(caughtUp, Is.EqualTo("Caught up on 2 missed event(s)."));
        }

        // Not watching now; the next run starts after the last event this home printed.
        var meanwhile = await UploadAsync(heidi, hoomiId, "MEANWHILE");
        using (var watcher = await StartWatchAsync(proxy.Address, home, hoomiId))
        {
            var line = await watcher.Out.FirstLineContaining(meanwhile.ToString()).WaitAsync(TimeSpan.FromSeconds(10));
            await watcher.Stop.CancelAsync();
            Assert.That(await watcher.Exit, Is.Zero, watcher.Error.ToString());

            Assert.That(watcher.Out.Lines, Has.Count.EqualTo(1), "only the event after the saved cursor");
            using var json = JsonDocument.Parse(line);
            Assert.That(new HoomiHome(home).LoadCursor(hoomiId), Is.EqualTo(json.RootElement.GetProperty("data").GetProperty("cursor").GetString()));
        }
    }

    [Test]
    public async Task Upload_with_a_thumbnail_then_forward_gives_a_target_member_the_file_its_name_and_thumbnail()
    {
        var ivanHome = Path.Combine(_work, "ivan");
        var ivan = $"ivan-{Guid.NewGuid().ToString("N")[..8]}@example.com";
        using var judy = await TestUser.CreateAsync(_api, "judy");
        AssertOk(await HoomiAsync(ivanHome, TestUser.Password + "\n", "register", ivan, "--password-stdin"));
        AssertOk(await HoomiAsync(ivanHome, null, "keys", "init"));
        var source = Guid.Parse((await HoomiAsync(ivanHome, null, "hoomi", "create", "Ivan source")).LastLine);
        var target = Guid.Parse((await HoomiAsync(ivanHome, null, "hoomi", "create", "Ivan target")).LastLine);
        await AddMemberAsync(ivanHome, target.ToString(), judy.HomeDirectory, judy.Email);

        var clip = Path.Combine(_work, "clip.mp4");
        var plaintext = Plaintext.WithMarker(300_000, "CLIP");
        await File.WriteAllBytesAsync(clip, plaintext);
        var preview = Path.Combine(_work, "clip.jpg");
        var thumbnail = Plaintext.WithMarker(20_000, "PREVIEW");
        await File.WriteAllBytesAsync(preview, thumbnail);
        var upload = await HoomiAsync(ivanHome, null, "upload", clip, "--to", source.ToString(), "--thumbnail", preview);
        AssertOk(upload);
        var mediaId = Guid.Parse(upload.LastLine);
        var forward = await HoomiAsync(ivanHome, null, "forward", mediaId.ToString(), "--to", "Ivan target");
        AssertOk(forward);
        var forwardedId = Guid.Parse(forward.LastLine);

        var whole = Path.Combine(_work, "judy-clip.mp4");
        AssertOk(await HoomiAsync(judy.HomeDirectory, null, "download", forwardedId.ToString(), "-o", whole));
        var thumb = Path.Combine(_work, "judy-clip.jpg");
        AssertOk(await HoomiAsync(judy.HomeDirectory, null, "download", forwardedId.ToString(), "--thumbnail", "-o", thumb));
        var listing = await HoomiAsync(judy.HomeDirectory, null, "ls", target.ToString(), "--json");
        AssertOk(listing);
        var original = await HoomiAsync(judy.HomeDirectory, null, "download", mediaId.ToString(), "-o", Path.Combine(_work, "judy-original.mp4"));

        Assert.That(forwardedId, Is.Not.EqualTo(mediaId));
        Assert.That(await File.ReadAllBytesAsync(whole), Is.EqualTo(plaintext));
        Assert.That(await File.ReadAllBytesAsync(thumb), Is.EqualTo(thumbnail));
        using var json = JsonDocument.Parse(listing.Out);
        var item = json.RootElement.EnumerateArray().Single();
        Assert.That((item.GetProperty("id").GetGuid(), item.GetProperty("name").GetString()), Is.EqualTo((forwardedId, "clip.mp4")));
        Assert.That(original.ExitCode, Is.EqualTo(1), "Judy is not in the source hoomi");
        Assert.That(original.Error, Does.StartWith("error: 404 "));
    }

    [Test]
    public async Task Keys_revoke_asks_first_then_revokes_this_devices_key_and_deletes_it()
    {
        using var kim = await TestUser.CreateAsync(_api, "kim");
        var hoomiId = (await kim.Client.CreateHoomiAsync("Kim")).Id;
        var keyId = kim.Client.DeviceKey.KeyId;
        var keyFile = kim.Client.Home.DeviceKeyPath;

        var unconfirmed = await HoomiAsync(kim.HomeDirectory, null, "keys", "revoke");
        Assert.That((unconfirmed.ExitCode, File.Exists(keyFile)), Is.EqualTo((1, true)), unconfirmed.Error);
        Assert.That(unconfirmed.Error, Does.Contain("--yes"));
        Assert.That((await kim.Client.ListMyKeysAsync()).Single().RevokedAt, Is.Null);

        AssertOk(await HoomiAsync(kim.HomeDirectory, null, "keys", "revoke", "--yes"));

        Assert.That(File.Exists(keyFile), Is.False);
        Assert.That((await kim.Client.ListMyKeysAsync()).Single(k => k.KeyId == keyId).RevokedAt, Is.Not.Null);
        // New uploads no longer wrap for it: the hoomi lists no key for Kim.
        Assert.That((await kim.Client.ListMembersAsync(hoomiId)).Single().Keys, Is.Empty);

        // Another device's key, by id: revoked on the server, nothing deleted here or there.
        using var phone = await kim.OnAnotherDeviceAsync(_api);
        var phoneKey = (await phone.Client.RegisterDeviceKeyAsync()).KeyId;
        AssertOk(await HoomiAsync(kim.HomeDirectory, null, "keys", "revoke", phoneKey, "--yes"));
        Assert.That((await kim.Client.ListMyKeysAsync()).Single(k => k.KeyId == phoneKey).RevokedAt, Is.Not.Null);
        Assert.That(File.Exists(phone.Client.Home.DeviceKeyPath), Is.True);
    }

    [Test]
    public async Task The_built_cli_runs_as_its_own_process_from_register_to_download()
    {
        var home = Path.Combine(_work, "process-home");
        var email = $"proc-{Guid.NewGuid().ToString("N")[..8]}@example.com";
        var original = Path.Combine(_work, "process.jpg");
        var plaintext = Plaintext.WithMarker(250_000, "PROCESS");
        await File.WriteAllBytesAsync(original, plaintext);
        var downloaded = Path.Combine(_work, "process-out.jpg");

        var register = await RunCliProcessAsync(home, TestUser.Password + "\n", "register", email, "--password-stdin");
        var keys = await RunCliProcessAsync(home, null, "keys", "init");
        var create = await RunCliProcessAsync(home, null, "hoomi", "create", "Process family");
        var upload = await RunCliProcessAsync(home, null, "upload", original, "--to", "Process family");
        var download = await RunCliProcessAsync(home, null, "download", upload.LastLine, "-o", downloaded);
        var missing = await RunCliProcessAsync(home, null, "download", Guid.CreateVersion7().ToString(), "-o", Path.Combine(_work, "never.jpg"));

        foreach (var step in new[] { register, keys, create, upload, download })
        {
            AssertOk(step);
        }

        Assert.That(Guid.TryParse(create.LastLine, out _), Is.True, create.Out);
        Assert.That(Guid.TryParse(upload.LastLine, out var mediaId), Is.True, "the media id is the last line of stdout: " + upload.Out);
        Assert.That(await File.ReadAllBytesAsync(downloaded), Is.EqualTo(plaintext));
        Assert.That((await RunCliProcessAsync(home, null, "ls", "Process family", "--json")).Out, Does.Contain(mediaId.ToString()));
        Assert.That(missing.ExitCode, Is.EqualTo(1));
        Assert.That(missing.Error, Does.StartWith("error: 404 "));
        Assert.That(File.Exists(Path.Combine(_work, "never.jpg")), Is.False);
    }

    /// <summary>Runs <c>dotnet hoomi.dll ...</c> (the CLI built beside the tests) with HOOMI_SERVER and HOOMI_HOME set.</summary>
    private async Task<CliResult> RunCliProcessAsync(string home, string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _work,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "hoomi.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["HOOMI_SERVER"] = _api.BaseAddress.ToString();
        start.Environment["HOOMI_HOME"] = home;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin ?? "");
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
