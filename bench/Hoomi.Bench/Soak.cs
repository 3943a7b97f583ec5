using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hoomi.Domain.Media;
using Hoomi.Testing;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hoomi.Bench;

/// <summary>
/// The soak (<c>bench/run --soak 30m</c>, or <c>Hoomi.Bench.dll soak --duration 2m</c> as CI runs it): mixed uploads,
/// downloads, listings and hub subscribers against the API as a real process on PostgreSQL and the filesystem store,
/// with faults on a schedule (API <c>kill -9</c> and restart, PostgreSQL stopped and started, a client cut mid-upload).
/// It samples the server's RSS, open descriptors, threads, errors and latency, writes soak.png and soak.md, and at
/// the end checks that nothing was lost. Exit code 0 only when every check holds.
/// </summary>
public static class Soak
{
    /// <summary>Errors this long after a fault has ended (the server ready again) still count as the fault's.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private sealed record Op(string Kind, double Start, double End, bool Ok, string? Error);

    private sealed record Fault(string Name, double Start, double End);

    private sealed record Sample(double T, double RssMiB, double Handles, double Threads, int Ops, int Errors, int ErrorsOutside, double P50, double P99);

    private sealed record Upload(Guid HoomiId, string Sha, long Size);

    private sealed class Subscriber
    {
        public required BenchUser User { get; init; }

        public required HubConnection Connection { get; init; }

        public ConcurrentDictionary<Guid, bool> Seen { get; } = new();

        public long Cursor;

        public int Live;

        public int CaughtUp;

        public int Reconnects;
    }

    public static async Task<int> RunAsync(string[] args, string repo)
    {
        var duration = TimeSpan.FromMinutes(30);
        var outDir = Path.Combine(repo, "bench/results");
        var dataRoot = Path.GetTempPath();
        string? apiDll = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--soak" or "--duration":
                    duration = ParseDuration(args[++i]);
                    break;
                case "--out":
                    outDir = args[++i];
                    break;
                case "--data":
                    dataRoot = args[++i];
                    break;
                case "--api":
                    apiDll = args[++i];
                    break;
                case "--nginx" or "--disk":
                    i++;
                    break;
                default:
                    break;
            }
        }

        Directory.CreateDirectory(outDir);
        var dataDir = Path.Combine(dataRoot, "hoomi-soak-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDir);
        try
        {
            return await RunCoreAsync(repo, duration, outDir, dataDir, apiDll);
        }
        finally
        {
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static TimeSpan ParseDuration(string text)
    {
        var n = double.Parse(text[..^1], CultureInfo.InvariantCulture);
        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            _ => TimeSpan.FromSeconds(double.Parse(text, CultureInfo.InvariantCulture)),
        };
    }

    private static async Task<int> RunCoreAsync(string repo, TimeSpan duration, string outDir, string dataDir, string? apiDll)
    {
        var started = DateTime.UtcNow;
        Console.WriteLine($"[soak] {duration.TotalMinutes:0.#} min; data in {dataDir}");
        using var postgres = PostgresServer.Start(durableCommits: true);
        var canStopPostgres = postgres.IsOwn;
        using var server = new SoakServer(apiDll ?? Path.Combine(repo, "src/Hoomi.Api/bin/Release/net10.0/Hoomi.Api.dll"), dataDir, postgres.CreateDatabase(), ExternalProcess.FreeTcpPort());
        server.Start();
        using var http = BenchApi.NewClient(server.BaseAddress, 64);
        http.Timeout = TimeSpan.FromSeconds(60);

        // Three users, each owning a hoomi; two hub subscribers per hoomi (the owner's token, as two devices would).
        var users = new List<BenchUser>();
        for (var i = 0; i < 3; i++)
        {
            users.Add(await BenchApi.CreateUserAsync(http, "soak" + i));
        }

        var subscribers = new List<Subscriber>();
        foreach (var user in users)
        {
            for (var k = 0; k < 2; k++)
            {
                subscribers.Add(await SubscribeAsync(server.BaseAddress, http, user));
            }
        }

        var clock = Stopwatch.StartNew();
        double Now() => clock.Elapsed.TotalSeconds;
        var ops = new ConcurrentQueue<Op>();
        var intervalLatencies = new ConcurrentQueue<double>();
        var faults = new List<Fault>();
        var faultsLock = new Lock();
        var inFault = 0; // 1 while a fault is active
        var attempted = new ConcurrentDictionary<Guid, Upload>();
        var acknowledged = new ConcurrentDictionary<Guid, bool>();
        var cut = new ConcurrentDictionary<Guid, bool>();
        var samples = new List<Sample>();
        using var stop = new CancellationTokenSource();

        bool Outside(Op op)
        {
            if (Volatile.Read(ref inFault) == 1)
            {
                // A fault is under way: anything that ended after it began belongs to it.
                lock (faultsLock)
                {
                    var openStart = faults.Count > 0 && double.IsNaN(faults[^1].End) ? faults[^1].Start : double.MaxValue;
                    if (op.End >= openStart)
                    {
                        return false;
                    }
                }
            }

            lock (faultsLock)
            {
                return !faults.Any(f => f.Name != "client-cut" && op.End >= f.Start && op.Start <= (double.IsNaN(f.End) ? double.MaxValue : f.End + Grace.TotalSeconds));
            }
        }

        void Record(Op op)
        {
            ops.Enqueue(op);
            intervalLatencies.Enqueue((op.End - op.Start) * 1000);
        }

        // --- workers: uploads 40 %, downloads 35 %, listings 25 %
        async Task WorkerAsync(int index)
        {
            var random = new Random(1000 + index);
            while (!stop.IsCancellationRequested)
            {
                var user = users[random.Next(users.Count)];
                var roll = random.Next(100);
                var start = Now();
                string kind = roll < 40 ? "upload" : roll < 75 ? "download" : "list";
                string? error = null;
                try
                {
                    if (kind == "upload")
                    {
                        var plain = random.Next(4 * 1024, 2 * 1024 * 1024);
                        var size = Hme1Format.CiphertextLength(plain, 65536);
                        var body = SyntheticCiphertextStream.ToArray(size, (ulong)random.NextInt64());
                        var sha = Convert.ToHexStringLower(SHA256.HashData(body));
                        var id = Guid.CreateVersion7();
                        attempted[id] = new Upload(user.HoomiId, sha, size);
                        using var request = BenchApi.UploadRequest(user, id, size, sha, new ByteArrayContent(body));
                        using var response = await http.SendAsync(request, stop.Token);
                        if (response.IsSuccessStatusCode)
                        {
                            acknowledged[id] = true;
                        }
                        else
                        {
                            error = $"upload {(int)response.StatusCode} {Trim(await response.Content.ReadAsStringAsync(stop.Token))}";
                        }
                    }
                    else if (kind == "download")
                    {
                        var mine = acknowledged.Keys.Where(k => attempted[k].HoomiId == user.HoomiId).ToList();
                        if (mine.Count == 0)
                        {
                            continue;
                        }

                        var id = mine[random.Next(mine.Count)];
                        using var request = BenchApi.Authorized(HttpMethod.Get, $"/media/{id}", user.Token);
                        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
                        if (!response.IsSuccessStatusCode)
                        {
                            error = $"download {(int)response.StatusCode} {Trim(await response.Content.ReadAsStringAsync(stop.Token))}";
                        }
                        else
                        {
                            await using var stream = await response.Content.ReadAsStreamAsync(stop.Token);
                            var got = await BenchApi.Sha256Of(stream);
                            if (got != attempted[id].Sha)
                            {
                                error = "download: bytes differ from the upload";
                            }
                        }
                    }
                    else
                    {
                        using var request = BenchApi.Authorized(HttpMethod.Get, $"/hoomis/{user.HoomiId}/media?limit=50", user.Token);
                        using var response = await http.SendAsync(request, stop.Token);
                        if (!response.IsSuccessStatusCode)
                        {
                            error = $"list {(int)response.StatusCode} {Trim(await response.Content.ReadAsStringAsync(stop.Token))}";
                        }
                        else
                        {
                            _ = await response.Content.ReadAsByteArrayAsync(stop.Token);
                        }
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                {
                    error = $"{kind}: {e.GetType().Name} {Trim(e.Message)}";
                }

                Record(new Op(kind, start, Now(), error is null, error));
                if (error is not null)
                {
                    // A client that backs off a little, as real ones do (and the error counts stay readable).
                    await Task.Delay(100, CancellationToken.None);
                }
            }
        }

        // --- sampler: every 2 s (1 s for runs under 5 minutes)
        var sampleEvery = duration < TimeSpan.FromMinutes(5) ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(2);
        var seenOps = 0;
        async Task SamplerAsync()
        {
            var all = new List<Op>();
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(sampleEvery, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }

                var (rss, handles, threads) = server.Sample();
                var lat = new List<double>();
                while (intervalLatencies.TryDequeue(out var l))
                {
                    lat.Add(l);
                }

                lat.Sort();
                var fresh = ops.Skip(seenOps).ToList();
                seenOps += fresh.Count;
                var errors = fresh.Count(o => !o.Ok);
                var outside = fresh.Count(o => !o.Ok && Outside(o));
                lock (samples)
                {
                    samples.Add(new Sample(Now(), rss / 1048576.0, handles, threads, fresh.Count, errors, outside,
                        lat.Count > 0 ? lat[lat.Count / 2] : double.NaN, lat.Count > 0 ? lat[Math.Min(lat.Count - 1, (int)(lat.Count * 0.99))] : double.NaN));
                }
            }
        }

        // --- faults on a schedule, in turn: API kill -9, PostgreSQL stopped, a client cut mid-upload
        var every = TimeSpan.FromSeconds(Math.Max(25, duration.TotalSeconds / 20));
        string[] kinds = canStopPostgres ? ["api-kill-9", "postgres-stop", "client-cut"] : ["api-kill-9", "client-cut"];
        async Task FaultsAsync()
        {
            var n = 0;
            while (true)
            {
                var due = every * (n + 1);
                if (due + every > duration)
                {
                    return;
                }

                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                var kind = kinds[n % kinds.Length];
                n++;
                Console.WriteLine($"[soak] {clock.Elapsed:mm\\:ss} fault: {kind}");
                if (kind == "client-cut")
                {
                    // A client fault: no window for the others, whose requests must all succeed meanwhile.
                    var at = Now();
                    await CutUploadAsync(server.BaseAddress, users[n % users.Count], attempted, cut);
                    lock (faultsLock)
                    {
                        faults.Add(new Fault(kind, at, at));
                    }

                    continue;
                }

                lock (faultsLock)
                {
                    faults.Add(new Fault(kind, Now(), double.NaN));
                    Volatile.Write(ref inFault, 1);
                }

                if (kind == "api-kill-9")
                {
                    server.KillHard();
                    await Task.Delay(TimeSpan.FromSeconds(2));
                    server.Start();
                }
                else
                {
                    postgres.Kill();
                    await Task.Delay(TimeSpan.FromSeconds(5));
                    postgres.StartAgain();
                    await WaitReadyAsync(http);
                }

                lock (faultsLock)
                {
                    faults[^1] = faults[^1] with { End = Now() };
                    Volatile.Write(ref inFault, 0);
                }
            }
        }

        var workers = Enumerable.Range(0, 4).Select(i => Task.Run(() => WorkerAsync(i))).ToList();
        var sampler = Task.Run(SamplerAsync);
        var faultTask = Task.Run(FaultsAsync);
        await Task.Delay(duration);
        await faultTask;
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        await sampler;
        var loadSeconds = Now();
        Console.WriteLine($"[soak] load done after {loadSeconds:0} s: {ops.Count} operations, {faults.Count} faults; checking");

        // --- the end checks
        var problems = new List<string>();
        var allOps = ops.ToList();
        var errorsOutside = allOps.Where(o => !o.Ok && Outside(o)).ToList();
        foreach (var group in errorsOutside.GroupBy(o => o.Error).Take(10))
        {
            problems.Add($"{group.Count()} error(s) outside the fault windows: {group.Key}");
        }

        // Every listed item must be whole; every acknowledged upload listed and identical; no cut upload visible.
        await WaitReadyAsync(http);
        var listed = new Dictionary<Guid, Guid>();
        foreach (var user in users)
        {
            string? cursor = null;
            do
            {
                using var request = BenchApi.Authorized(HttpMethod.Get, $"/hoomis/{user.HoomiId}/media?limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), user.Token);
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                var page = await response.Content.ReadFromJsonAsync<JsonObject>();
                foreach (var item in page!["items"]!.AsArray())
                {
                    listed[Guid.Parse(item!["id"]!.GetValue<string>())] = user.HoomiId;
                }

                cursor = page["nextCursor"]?.GetValue<string>();
            }
            while (cursor is not null);
        }

        var byId = users.ToDictionary(u => u.HoomiId);
        var downloaded = 0;
        foreach (var (id, hoomiId) in listed)
        {
            if (!attempted.TryGetValue(id, out var upload))
            {
                problems.Add($"listed media {id} was never uploaded");
                continue;
            }

            if (cut.ContainsKey(id))
            {
                problems.Add($"media {id}, cut mid-upload, is visible");
                continue;
            }

            using var request = BenchApi.Authorized(HttpMethod.Get, $"/media/{id}", byId[hoomiId].Token);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode)
            {
                problems.Add($"listed media {id} does not download ({(int)response.StatusCode}): half-visible");
                continue;
            }

            await using var stream = await response.Content.ReadAsStreamAsync();
            if (await BenchApi.Sha256Of(stream) != upload.Sha)
            {
                problems.Add($"media {id} downloads different bytes");
            }

            downloaded++;
        }

        var lost = acknowledged.Keys.Where(id => !listed.ContainsKey(id)).ToList();
        foreach (var id in lost.Take(10))
        {
            problems.Add($"acknowledged upload {id} is not listed (lost)");
        }

        var unacknowledgedVisible = listed.Keys.Count(id => !acknowledged.ContainsKey(id));

        // Every upload event reached every subscriber of its hoomi: wait for live delivery, then one catch-up each.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        bool AllSeen() => subscribers.All(s => listed.Where(l => l.Value == s.User.HoomiId).All(l => s.Seen.ContainsKey(l.Key)));
        while (!AllSeen() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }

        foreach (var s in subscribers)
        {
            await CatchUpAsync(http, s);
        }

        var missedEvents = 0;
        foreach (var s in subscribers)
        {
            foreach (var (id, _) in listed.Where(l => l.Value == s.User.HoomiId))
            {
                if (!s.Seen.ContainsKey(id))
                {
                    missedEvents++;
                    if (missedEvents <= 10)
                    {
                        problems.Add($"a subscriber of hoomi {s.User.HoomiId} never received MediaUploaded {id}, not even by catch-up");
                    }
                }
            }
        }

        foreach (var s in subscribers)
        {
            await s.Connection.DisposeAsync();
        }

        var (verifyCode, verifyOutput) = server.Verify();
        if (verifyCode != 0)
        {
            problems.Add($"admin verify exited {verifyCode}: {Trim(verifyOutput, 400)}");
        }

        // RSS flat: the peak of the second half at most 1.25 times the first half's (after its first 20 s) + 32 MiB.
        List<Sample> snapshot;
        lock (samples)
        {
            snapshot = [.. samples];
        }

        var firstHalf = snapshot.Where(x => x.T > 20 && x.T <= loadSeconds / 2 && !double.IsNaN(x.RssMiB)).Select(x => x.RssMiB).DefaultIfEmpty(double.NaN).Max();
        var secondHalf = snapshot.Where(x => x.T > loadSeconds / 2 && !double.IsNaN(x.RssMiB)).Select(x => x.RssMiB).DefaultIfEmpty(double.NaN).Max();
        var rssBound = firstHalf * 1.25 + 32;
        if (!(secondHalf <= rssBound))
        {
            problems.Add($"RSS grew: peak {secondHalf:0} MiB in the second half, bound {rssBound:0} MiB (1.25 × first half's {firstHalf:0} MiB + 32)");
        }

        var handlesFirst = snapshot.Where(x => x.T > 20 && x.T <= loadSeconds / 2 && !double.IsNaN(x.Handles)).Select(x => x.Handles).DefaultIfEmpty(double.NaN).Max();
        var handlesSecond = snapshot.Where(x => x.T > loadSeconds / 2 && !double.IsNaN(x.Handles)).Select(x => x.Handles).DefaultIfEmpty(double.NaN).Max();
        if (!(handlesSecond <= handlesFirst * 1.5 + 50))
        {
            problems.Add($"open handles grew: peak {handlesSecond} in the second half, first half {handlesFirst}");
        }

        var summary = new JsonObject
        {
            ["durationSeconds"] = Math.Round(loadSeconds),
            ["operations"] = allOps.Count,
            ["uploadsAcknowledged"] = acknowledged.Count,
            ["uploadsListedAndDownloaded"] = downloaded,
            ["uploadsVisibleWithoutAcknowledgement"] = unacknowledgedVisible,
            ["errorsInFaultWindows"] = allOps.Count(o => !o.Ok) - errorsOutside.Count,
            ["errorsOutsideFaultWindows"] = errorsOutside.Count,
            ["faults"] = new JsonArray([.. faults.GroupBy(f => f.Name).Select(g => (JsonNode)new JsonObject { ["name"] = g.Key, ["count"] = g.Count() })]),
            ["apiStarts"] = server.Starts,
            ["lostUploads"] = lost.Count,
            ["missedEvents"] = missedEvents,
            ["eventsLive"] = subscribers.Sum(s => s.Live),
            ["eventsByCatchUp"] = subscribers.Sum(s => s.CaughtUp),
            ["hubReconnects"] = subscribers.Sum(s => s.Reconnects),
            ["verifyExitCode"] = verifyCode,
            ["rssPeakFirstHalfMiB"] = Math.Round(firstHalf, 1),
            ["rssPeakSecondHalfMiB"] = Math.Round(secondHalf, 1),
            ["rssBoundMiB"] = Math.Round(rssBound, 1),
            ["handlesPeakFirstHalf"] = handlesFirst,
            ["handlesPeakSecondHalf"] = handlesSecond,
            ["problems"] = new JsonArray([.. problems.Select(p => (JsonNode)JsonValue.Create(p)!)]),
            ["passed"] = problems.Count == 0,
        };
        var prefix = duration >= TimeSpan.FromMinutes(10) ? "soak" : "soak-short";
        await File.WriteAllTextAsync(Path.Combine(outDir, prefix + ".json"), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        SoakChart.Write(Path.Combine(outDir, prefix + ".png"),
            [.. snapshot.Select(x => x.T)], [.. snapshot.Select(x => x.RssMiB)], [.. snapshot.Select(x => x.Handles)], [.. snapshot.Select(x => x.Threads)],
            [.. snapshot.Select(x => x.Ops / sampleEvery.TotalSeconds)], [.. snapshot.Select(x => (double)x.Errors)], [.. snapshot.Select(x => (double)x.ErrorsOutside)],
            [.. snapshot.Select(x => x.P50)], [.. snapshot.Select(x => x.P99)],
            [.. faults.Select(f => (f.Name, f.Start, double.IsNaN(f.End) ? f.Start : f.End))], Grace.TotalSeconds);
        await File.WriteAllTextAsync(Path.Combine(outDir, prefix + ".md"), Markdown(summary, faults, allOps, duration, started, prefix));
        Console.WriteLine(summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine(problems.Count == 0 ? "[soak] passed" : "[soak] FAILED");
        return problems.Count == 0 ? 0 : 1;
    }

    private static string Markdown(JsonObject s, List<Fault> faults, List<Op> ops, TimeSpan duration, DateTime started, string prefix)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"## Soak ({duration.TotalMinutes:0.#} min, {started:yyyy-MM-dd HH:mm} UTC)");
        sb.AppendLine();
        sb.AppendLine(inv, $"`bench/run --soak {duration.TotalMinutes:0}m` — the API as a real process (Release) on its own PostgreSQL cluster (`synchronous_commit=on`) and the filesystem store; 4 clients in a loop (40 % uploads of 4 KiB–2 MiB, 35 % downloads checked by SHA-256, 25 % listings) over 3 users' hoomis, 2 hub subscribers per hoomi (automatic reconnect, catch-up through `/events?after=` on every reconnect). A fault every {Math.Max(25, duration.TotalSeconds / 20):0} s, in turn: API `kill -9` and restart (same port, blob root and key ring), PostgreSQL `pg_ctl stop -m immediate` for 5 s and started again (the API is not restarted), a client cutting its upload mid-body. A fault window runs from the fault to the server being ready again, plus {Grace.TotalSeconds:0} s; the client cut has no window (the other clients must not notice). Chart: [{prefix}.png]({prefix}.png).");
        sb.AppendLine();
        sb.AppendLine("| check | result |");
        sb.AppendLine("|---|---|");
        sb.AppendLine(inv, $"| operations | {s["operations"]} ({ops.Count(o => o.Kind == "upload")} uploads, {ops.Count(o => o.Kind == "download")} downloads, {ops.Count(o => o.Kind == "list")} listings) |");
        sb.AppendLine(inv, $"| faults | {string.Join(", ", faults.GroupBy(f => f.Name).Select(g => $"{g.Key} × {g.Count()}"))}; API started {s["apiStarts"]} times |");
        sb.AppendLine(inv, $"| errors outside the fault windows | **{s["errorsOutsideFaultWindows"]}** (inside: {s["errorsInFaultWindows"]}) |");
        sb.AppendLine(inv, $"| acknowledged uploads lost | **{s["lostUploads"]}** of {s["uploadsAcknowledged"]}; every listed item ({s["uploadsListedAndDownloaded"]}) downloaded whole and identical; {s["uploadsVisibleWithoutAcknowledgement"]} committed whose answer the fault cut off |");
        sb.AppendLine(inv, $"| upload events missed by a subscriber | **{s["missedEvents"]}** ({s["eventsLive"]} received live, {s["eventsByCatchUp"]} by catch-up, {s["hubReconnects"]} reconnects) |");
        sb.AppendLine(inv, $"| `admin verify` | exit {s["verifyExitCode"]} ({((int)s["verifyExitCode"]! == 0 ? "no drift" : "drift")}) |");
        sb.AppendLine(inv, $"| RSS flat (criterion: second-half peak ≤ 1.25 × first-half peak + 32 MiB) | {s["rssPeakSecondHalfMiB"]} MiB vs bound {s["rssBoundMiB"]} MiB (first half {s["rssPeakFirstHalfMiB"]} MiB) |");
        sb.AppendLine(inv, $"| open descriptors (second-half peak ≤ 1.5 × first + 50) | {s["handlesPeakSecondHalf"]} vs first half {s["handlesPeakFirstHalf"]} |");
        sb.AppendLine(inv, $"| verdict | **{((bool)s["passed"]! ? "passed" : "FAILED")}** |");
        var problems = s["problems"]!.AsArray();
        if (problems.Count > 0)
        {
            sb.AppendLine();
            foreach (var p in problems)
            {
                sb.AppendLine(inv, $"- {p}");
            }
        }

        var inside = ops.Where(o => !o.Ok).GroupBy(o => Classify(o.Error)).OrderByDescending(g => g.Count()).Take(8).ToList();
        if (inside.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Errors seen (all inside fault windows unless listed above), by kind:");
            sb.AppendLine();
            foreach (var g in inside)
            {
                sb.AppendLine(inv, $"- {g.Count()} × {g.Key}");
            }
        }

        return sb.ToString();
    }

    private static string Classify(string? error)
    {
        if (error is null)
        {
            return "";
        }

        var brace = error.IndexOf('{', StringComparison.Ordinal);
        var head = brace > 0 ? error[..brace].Trim() : error;
        var type = error.IndexOf("\"type\":\"", StringComparison.Ordinal);
        if (type >= 0)
        {
            var end = error.IndexOf('"', type + 8);
            head += " " + error[(type + 8)..(end > 0 ? end : error.Length)];
        }

        return head.Length > 120 ? head[..120] : head;
    }

    private static string Trim(string text, int max = 200) => text.Length <= max ? text.ReplaceLineEndings(" ") : text[..max].ReplaceLineEndings(" ") + "…";

    private static async Task WaitReadyAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }
    }

    private sealed class ForeverRetry : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => TimeSpan.FromMilliseconds(retryContext.PreviousRetryCount == 0 ? 200 : 1000);
    }

    private static async Task<Subscriber> SubscribeAsync(Uri baseAddress, HttpClient http, BenchUser user)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/hubs/media"), HttpTransportType.WebSockets, o =>
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(user.Token);
                o.SkipNegotiation = true;
            })
            .WithAutomaticReconnect(new ForeverRetry())
            .Build();
        var s = new Subscriber { User = user, Connection = connection };
        connection.On<JsonElement>("MediaUploaded", e =>
        {
            if (e.GetProperty("hoomiId").GetGuid() == user.HoomiId)
            {
                s.Seen[e.GetProperty("mediaId").GetGuid()] = true;
                Interlocked.Increment(ref s.Live);
                Advance(s, e.GetProperty("cursor").GetString());
            }
        });
        foreach (var other in new[] { "MediaDeleted", "MemberAdded", "MemberRemoved", "KeysShared" })
        {
            connection.On<JsonElement>(other, e => Advance(s, e.GetProperty("cursor").GetString()));
        }

        connection.Reconnected += async _ =>
        {
            Interlocked.Increment(ref s.Reconnects);
            try
            {
                await connection.InvokeAsync("Joined");
                await CatchUpAsync(http, s);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException or TaskCanceledException or HubException)
            {
                // The next reconnect (or the final catch-up) tries again.
            }
        };
        connection.Closed += async _ =>
        {
            // Automatic reconnect gave up (it does not, with ForeverRetry) or the server closed the connection: start over.
            while (connection.State == HubConnectionState.Disconnected)
            {
                try
                {
                    await Task.Delay(1000);
                    await connection.StartAsync();
                    Interlocked.Increment(ref s.Reconnects);
                    await connection.InvokeAsync("Joined");
                    await CatchUpAsync(http, s);
                }
                catch (Exception)
                {
                    // Still down: try again in a second.
                }
            }
        };
        await connection.StartAsync();
        await connection.InvokeAsync("Joined");
        await CatchUpAsync(http, s);
        return s;
    }

    private static void Advance(Subscriber s, string? cursor)
    {
        if (long.TryParse(cursor, NumberStyles.Integer, CultureInfo.InvariantCulture, out var c))
        {
            long seen;
            while (c > (seen = Interlocked.Read(ref s.Cursor)) && Interlocked.CompareExchange(ref s.Cursor, c, seen) != seen)
            {
            }
        }
    }

    /// <summary>Reads <c>/hoomis/{id}/events?after=</c> from the subscriber's cursor to the end.</summary>
    private static async Task CatchUpAsync(HttpClient http, Subscriber s)
    {
        string? after = Interlocked.Read(ref s.Cursor).ToString(CultureInfo.InvariantCulture);
        while (after is not null)
        {
            using var request = BenchApi.Authorized(HttpMethod.Get, $"/hoomis/{s.User.HoomiId}/events?after={after}&limit=200", s.User.Token);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var page = await response.Content.ReadFromJsonAsync<JsonObject>();
            var items = page!["items"]!.AsArray();
            foreach (var item in items)
            {
                if (item!["type"]?.GetValue<string>() == "MediaUploaded")
                {
                    var id = Guid.Parse(item["mediaId"]!.GetValue<string>());
                    if (s.Seen.TryAdd(id, true))
                    {
                        Interlocked.Increment(ref s.CaughtUp);
                    }
                }

                Advance(s, item["cursor"]?.GetValue<string>());
            }

            after = items.Count == 0 ? null : page["nextCursor"]?.GetValue<string>();
        }
    }

    /// <summary>An upload whose client dies after 256 KiB of the file part: the connection is dropped mid-body.</summary>
    private static async Task CutUploadAsync(Uri baseAddress, BenchUser user, ConcurrentDictionary<Guid, Upload> attempted, ConcurrentDictionary<Guid, bool> cut)
    {
        using var http = BenchApi.NewClient(baseAddress, 4);
        var size = Hme1Format.CiphertextLength(4 * 1024 * 1024, 65536);
        var body = SyntheticCiphertextStream.ToArray(size, 7);
        var sha = Convert.ToHexStringLower(SHA256.HashData(body));
        var id = Guid.CreateVersion7();
        attempted[id] = new Upload(user.HoomiId, sha, size);
        cut[id] = true;
        using var request = BenchApi.UploadRequest(user, id, size, sha, new StreamContent(new CutStream(body, 256 * 1024)));
        try
        {
            using var response = await http.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.BadRequest)
            {
                Console.WriteLine($"[soak] cut upload answered {(int)response.StatusCode}");
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            // Expected: the client gave up.
        }
    }

    private sealed class CutStream(byte[] data, int cutAfter) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= cutAfter)
            {
                throw new IOException("client cut");
            }

            var n = Math.Min(count, cutAfter - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
