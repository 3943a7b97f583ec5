using System.Net.Http.Json;
using System.Text.Json;
using Hoomi.Client;
using Hoomi.Client.Api;
using Hoomi.EndToEnd.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Hoomi.EndToEnd.Tests;

/// <summary>
/// The outbox under a crash, with real processes: the API is killed with SIGKILL after a change has committed and
/// before its event was sent; started again over the same database, it sends the event to a hub client that
/// connected after the restart (a live push, not the client reading <c>/events</c>).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class EventDispatchFaultTests
{
    private string _work = null!;
    private Dictionary<string, string> _shared = null!;

    [SetUp]
    public void SetUp()
    {
        _work = Path.Combine(Path.GetTempPath(), "hoomi-e2e-fault-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(_work, "blobs"));
        _shared = new Dictionary<string, string>
        {
            ["Hoomi:Database:Provider"] = "Postgres",
            ["Hoomi:Database:ConnectionString"] = TestServers.Postgres.CreateDatabase(),
            ["Hoomi:Storage:Provider"] = "FileSystem",
            ["Hoomi:Storage:FileSystem:Root"] = Path.Combine(_work, "blobs"),
            ["Hoomi:DataProtection:KeysDirectory"] = Path.Combine(_work, "keys"),
        };
    }

    [TearDown]
    public void TearDown()
    {
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    private Dictionary<string, string> With(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>(_shared);
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The journal's sequences of the hoomi that are committed and not yet marked dispatched.</summary>
    private async Task<List<long>> UndispatchedAsync(Guid hoomiId)
    {
        await using var connection = new NpgsqlConnection(_shared["Hoomi:Database:ConnectionString"]);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT sequence FROM hoomi_events WHERE hoomi_id = @h AND dispatched_at IS NULL ORDER BY sequence", connection);
        cmd.Parameters.AddWithValue("h", hoomiId);
        var result = new List<long>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result.Add(reader.GetInt64(0));
        }

        return result;
    }

    [Test]
    public async Task An_event_committed_but_not_sent_when_the_API_is_killed_reaches_a_hub_client_after_the_restart()
    {
        Guid hoomiId;
        MediaInfo media;
        string email;

        // 1. The first process commits the upload and is killed before it sends the event: it never dispatches
        //    right after a commit, and its background dispatcher would not look for an hour.
        using (var first = await ApiProcess.StartAsync(With(("Hoomi:Events:ImmediateDispatch", "false"), ("Hoomi:Events:RedispatchInterval", "01:00:00"))))
        {
            using var alice = await TestUser.CreateAsync(first.BaseAddress, "alice");
            email = alice.Email;
            hoomiId = (await alice.Client.CreateHoomiAsync("Crash")).Id;
            using var content = new MemoryStream("committed before the crash"u8.ToArray());
            media = await alice.Client.UploadAsync(hoomiId, content, new UploadOptions("crash.txt", "text/plain"));
            Assert.That(await UndispatchedAsync(hoomiId), Is.EqualTo(new long[] { 1, 2 }), "the creator's MemberAdded and the upload: committed, not sent");
            first.KillHard();
        }

        // 2. Started again (normal settings, except that the first background run comes 10 s after the start, so that
        //    the client below is connected before it); a hub client connects and waits for its groups.
        using var second = await ApiProcess.StartAsync(With(("Hoomi:Events:RedispatchInterval", "00:00:10"), ("Hoomi:Events:RedispatchAfter", "00:00:00")));
        using var http = new HttpClient { BaseAddress = second.BaseAddress };
        var login = await http.PostAsJsonAsync("/auth/login", new { email, password = TestUser.Password });
        Assert.That(login.IsSuccessStatusCode, Is.True, await login.Content.ReadAsStringAsync());
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;

        var received = new List<(string Type, JsonElement Payload)>();
        var uploaded = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(second.BaseAddress, "/hubs/media"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        foreach (var type in new[] { "MemberAdded", "MediaUploaded" })
        {
            hub.On<JsonElement>(type, payload =>
            {
                lock (received)
                {
                    received.Add((type, payload.Clone()));
                }

                if (type == "MediaUploaded")
                {
                    uploaded.TrySetResult(payload.Clone());
                }
            });
        }

        await hub.StartAsync();
        await hub.InvokeAsync("Joined");
        Assume.That(await UndispatchedAsync(hoomiId), Is.EqualTo(new long[] { 1, 2 }),
            "still undispatched when the client had joined (else the machine was too slow for the 10 s and the test proves nothing)");

        // 3. The restarted process's background dispatcher sends what the killed one had committed, in order.
        var payload = await uploaded.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(payload.GetProperty("mediaId").GetGuid(), Is.EqualTo(media.Id));
        Assert.That(payload.GetProperty("cursor").GetString(), Is.EqualTo("2"));
        List<(string Type, JsonElement Payload)> all;
        lock (received)
        {
            all = [.. received];
        }

        Assert.That(all.Select(e => (e.Type, e.Payload.GetProperty("cursor").GetString())),
            Is.EqualTo(new[] { ("MemberAdded", "1"), ("MediaUploaded", "2") }), "once each, in journal order");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await UndispatchedAsync(hoomiId)).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.That(await UndispatchedAsync(hoomiId), Is.Empty, "marked dispatched after the send");
    }
}
