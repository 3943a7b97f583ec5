using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using HdrHistogram;
using Hoomi.Domain.Media;
using Hoomi.Testing;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hoomi.Bench;

/// <summary>
/// The whole benchmark: large transfers, many small files, hub fan-out and range reads against the API (Release,
/// its own process, PostgreSQL, filesystem store) and, where the scenario has one, the same requests against nginx.
/// </summary>
public sealed partial class Suite
{
    private const long MiB = 1024 * 1024;
    private readonly SuiteOptions _o;
    private readonly SuiteResults _results = new();
    private readonly string _repo;
    private readonly HttpClient? _nginx;

    private Suite(SuiteOptions options, string repo)
    {
        _o = options;
        _repo = repo;
        _nginx = options.Nginx is null ? null : BenchApi.NewClient(options.Nginx);
    }

    public static async Task<int> RunAsync(string[] args, string repo)
    {
        var options = SuiteOptions.Parse(args);
        var suite = new Suite(options, repo);
        var started = Stopwatch.StartNew();
        var dataDir = Path.Combine(options.DataRoot, "hoomi-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDir);
        try
        {
            using var postgres = PostgresServer.Start();
            await suite.RunScenariosAsync(postgres, dataDir);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }

        Directory.CreateDirectory(options.Out);
        var report = Report.Markdown(suite._results, options, started.Elapsed);
        await File.WriteAllTextAsync(Path.Combine(options.Out, "report.md"), report);
        Chart.Write(suite._results, Path.Combine(options.Out, "chart.png"));
        Console.WriteLine(report);
        Console.WriteLine($"wrote {Path.Combine(options.Out, "report.md")} and chart.png in {started.Elapsed.TotalSeconds:0} s");
        return 0;
    }

    private async Task RunScenariosAsync(PostgresServer postgres, string dataDir)
    {
        if (_o.Runs("transfer") || _o.Runs("range"))
        {
            // One fresh server per size, so that each peak RSS belongs to that size only (--quick shares one:
            // the sizes run in ascending order, so each peak is still that of the largest transfer so far).
            ApiProcess? shared = null;
            try
            {
                foreach (var mib in _o.TransferSizesMiB)
                {
                    var server = _o.Quick ? shared ??= ApiProcess.Start(_repo, dataDir, postgres.CreateDatabase()) : ApiProcess.Start(_repo, dataDir, postgres.CreateDatabase());
                    var last = mib == _o.TransferSizesMiB[^1];
                    await TransferAsync(server, mib * MiB, rangeAfter: last && _o.Runs("range"));
                    if (server != shared)
                    {
                        server.Dispose();
                    }
                }
            }
            finally
            {
                shared?.Dispose();
            }
        }

        if (_o.Runs("crypto"))
        {
            CryptoScenario.Run(_results, _o.Quick);
        }

        if (_o.Runs("sdk"))
        {
            using var server = ApiProcess.Start(_repo, dataDir, postgres.CreateDatabase());
            await SdkUploadAsync(server, dataDir, (_o.Quick ? 256 : 1024) * MiB);
        }

        if (_o.Runs("small"))
        {
            using var server = ApiProcess.Start(_repo, dataDir, postgres.CreateDatabase());
            await SmallFilesAsync(server);
        }

        if (_o.Runs("fanout"))
        {
            foreach (var n in _o.Subscribers)
            {
                using var server = ApiProcess.Start(_repo, dataDir, postgres.CreateDatabase());
                await FanoutAsync(server, n);
            }
        }

        await RunScaleAsync(postgres, dataDir);
    }

    // ---------------------------------------------------------------- 1b. the client's upload path (SDK and CLI)

    /// <summary>
    /// One file of <paramref name="plaintext"/> bytes uploaded by `hoomi upload` (a real CLI process: encrypt, hash, sign
    /// and send in one pass) and by the SDK in this process, against a raw upload of the same ciphertext size to the
    /// same server. The CLI figure includes its process start.
    /// </summary>
    private async Task SdkUploadAsync(ApiProcess server, string dataDir, long plaintext)
    {
        Console.WriteLine($"[sdk] {plaintext / MiB} MiB file");
        var home = Directory.CreateTempSubdirectory("hoomi-bench-home-").FullName;
        var file = Path.Combine(dataDir, "sdk-plaintext.bin");
        try
        {
            await using (var f = File.Create(file))
            {
                var chunk = new byte[MiB];
                for (long written = 0; written < plaintext; written += chunk.Length)
                {
                    System.Security.Cryptography.RandomNumberGenerator.Fill(chunk);
                    await f.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, plaintext - written)));
                }
            }

            var email = $"sdk-{Guid.NewGuid():N}@example.com";
            Guid hoomiId;
            using (var client = new Hoomi.Client.HoomiClient(server.BaseAddress, new Hoomi.Client.Storage.HoomiHome(home)))
            {
                await client.RegisterAsync(email, BenchApi.Password);
                await client.LoginAsync(email, BenchApi.Password);
                await client.RegisterDeviceKeyAsync(newIdentity: true);
                hoomiId = (await client.CreateHoomiAsync("bench")).Id;
                // Warm-up (JIT, connection), then the SDK in this process.
                await client.UploadAsync(hoomiId, new MemoryStream(new byte[4096]), new Hoomi.Client.UploadOptions("warm.bin", "application/octet-stream"));
            }

            // Raw: the same ciphertext size straight to the endpoint (no client crypto), same server.
            var size = Hme1Format.CiphertextLength(plaintext, 65536); // the synthetic stream is version 1; rates are compared in MB/s
            using var http = BenchApi.NewClient(server.BaseAddress, 4);
            var user = await BenchApi.CreateUserAsync(http, "raw");
            var sha = await BenchApi.Sha256Of(new SyntheticCiphertextStream(size, 42));
            await UploadAsync(http, user, Guid.CreateVersion7(), Hme1Format.CiphertextLength(4096, 65536), 7);
            var sw = Stopwatch.StartNew();
            await UploadAsync(http, user, Guid.CreateVersion7(), size, 42, sha);
            var raw = size / 1e6 / sw.Elapsed.TotalSeconds;

            double sdk;
            long sdkSize;
            using (var client = new Hoomi.Client.HoomiClient(server.BaseAddress, new Hoomi.Client.Storage.HoomiHome(home)))
            {
                sw.Restart();
                var media = await client.UploadFileAsync(hoomiId, file, new Hoomi.Client.UploadOptions("big.bin", "application/octet-stream"));
                sdk = media.Size / 1e6 / sw.Elapsed.TotalSeconds;
                sdkSize = media.Size;
            }

            var cli = Path.Combine(_repo, "src/Hoomi.Cli/bin/Release/net10.0/hoomi.dll");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { cli, "upload", file, "--to", hoomiId.ToString(), "--type", "application/octet-stream", "--server", server.BaseAddress.ToString(), "--home", home })
            {
                start.ArgumentList.Add(a);
            }

            sw.Restart();
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            var cliSeconds = sw.Elapsed.TotalSeconds;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"hoomi upload exited {process.ExitCode}: {await stderr}");
            }

            var cliSize = sdkSize; // the same file, the same padding bucket
            _results.SdkUpload = new SdkUploadResult(plaintext, cliSize, raw, sdk, cliSize / 1e6 / cliSeconds, cliSeconds);
            Console.WriteLine($"[sdk] raw {raw:0} MB/s, SDK {sdk:0} MB/s, hoomi upload {cliSize / 1e6 / cliSeconds:0} MB/s ({cliSeconds:0.0} s)");
        }
        finally
        {
            File.Delete(file);
            Directory.Delete(home, recursive: true);
        }
    }

    // ---------------------------------------------------------------- 1. large transfer (+ 4. range reads)

    private async Task TransferAsync(ApiProcess server, long plaintext, bool rangeAfter)
    {
        using var http = BenchApi.NewClient(server.BaseAddress, 4);
        var user = await BenchApi.CreateUserAsync(http, "big");
        var size = Hme1Format.CiphertextLength(plaintext, 65536);
        var label = plaintext >= 1024 * MiB ? $"{plaintext / (1024 * MiB)} GiB" : $"{plaintext / MiB} MiB";
        var reps = (int)Math.Clamp(_o.TransferBytesPerSize / plaintext, 1, 20);
        Console.WriteLine($"[transfer] {label} × {reps}");
        var sha = await BenchApi.Sha256Of(new SyntheticCiphertextStream(size, 42));
        var buffer = new byte[1024 * 1024];

        // Warm-up: one small upload and download, so that JIT and connection set-up are not in the figures.
        var warm = Guid.CreateVersion7();
        await UploadAsync(http, user, warm, Hme1Format.CiphertextLength(4096, 65536), 7);
        using (var r = await http.SendAsync(BenchApi.Authorized(HttpMethod.Get, $"/media/{warm}", user.Token), HttpCompletionOption.ResponseHeadersRead))
        {
            await BenchApi.DrainAsync(r, buffer);
        }

        var idle = server.RssBytes();
        var ids = new List<Guid>();
        server.ResetPeak();
        var alloc0 = await AllocatedAsync(http);
        var trace = Tracer.Start(_o, server, "upload-" + label.Replace(" ", ""));
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < reps; i++)
        {
            var id = Guid.CreateVersion7();
            await UploadAsync(http, user, id, size, 42, sha);
            ids.Add(id);
        }

        var up = sw.Elapsed.TotalSeconds;
        await Tracer.StopAsync(trace);
        var upPeak = server.PeakRssBytes();
        var allocUp = (await AllocatedAsync(http) - alloc0) / (double)reps;

        server.ResetPeak();
        alloc0 = await AllocatedAsync(http);
        trace = Tracer.Start(_o, server, "download-" + label.Replace(" ", ""));
        sw.Restart();
        foreach (var id in ids)
        {
            using var response = await http.SendAsync(BenchApi.Authorized(HttpMethod.Get, $"/media/{id}", user.Token), HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            if (await BenchApi.DrainAsync(response, buffer) != size)
            {
                throw new InvalidOperationException("short download");
            }
        }

        var down = sw.Elapsed.TotalSeconds;
        await Tracer.StopAsync(trace);
        var downPeak = server.PeakRssBytes();
        var allocDown = (await AllocatedAsync(http) - alloc0) / (double)reps;

        // Correctness once, outside the timing: the bytes that come back are the bytes that went in.
        using (var response = await http.SendAsync(BenchApi.Authorized(HttpMethod.Get, $"/media/{ids[0]}", user.Token), HttpCompletionOption.ResponseHeadersRead))
        {
            if (await BenchApi.Sha256Of(await response.Content.ReadAsStreamAsync()) != sha)
            {
                throw new InvalidOperationException("downloaded bytes differ");
            }
        }

        double nUp = double.NaN, nDown = double.NaN;
        if (_nginx is not null)
        {
            var path = $"/dav/big/{plaintext}.bin";
            sw.Restart();
            for (var i = 0; i < reps; i++)
            {
                using var put = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StreamContent(new SyntheticCiphertextStream(size, 42), 1024 * 1024) };
                put.Content.Headers.ContentLength = size;
                (await _nginx.SendAsync(put)).EnsureSuccessStatusCode();
            }

            nUp = size * reps / 1e6 / sw.Elapsed.TotalSeconds;
            sw.Restart();
            for (var i = 0; i < reps; i++)
            {
                using var response = await _nginx.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
                response.EnsureSuccessStatusCode();
                await BenchApi.DrainAsync(response, buffer);
            }

            nDown = size * reps / 1e6 / sw.Elapsed.TotalSeconds;
        }

        _results.Transfers.Add(new TransferResult(size, label, size * reps / 1e6 / up, size * reps / 1e6 / down, nUp, nDown,
            idle, upPeak, downPeak, allocUp, allocDown));

        if (rangeAfter)
        {
            await RangeAsync(server, http, user, ids[0], size, $"/dav/big/{plaintext}.bin");
        }
    }

    private async Task RangeAsync(ApiProcess server, HttpClient http, BenchUser user, Guid id, long size, string nginxPath)
    {
        var offset = Math.Min(900 * MiB, size * 9 / 10);
        var n = _o.Quick ? 20 : 50;
        Console.WriteLine($"[range] {n} × 64 KiB at {offset / MiB} MiB of {size / MiB} MiB");
        var trace = Tracer.Start(_o, server, "range");
        var hoomi = await TtfbAsync(n, () => BenchApi.Authorized(HttpMethod.Get, $"/media/{id}", user.Token), http, offset);
        await Tracer.StopAsync(trace);
        Percentiles? nginx = _nginx is null ? null : await TtfbAsync(n, () => new HttpRequestMessage(HttpMethod.Get, nginxPath), _nginx, offset);
        _results.Range = new RangeResult(size, offset, hoomi, nginx);
    }

    private static async Task<Percentiles> TtfbAsync(int n, Func<HttpRequestMessage> make, HttpClient http, long offset)
    {
        var h = Percentiles.NewHistogram();
        var buffer = new byte[64 * 1024];
        for (var i = 0; i < n; i++)
        {
            using var request = make();
            request.Headers.Range = new RangeHeaderValue(offset, offset + buffer.Length - 1);
            var start = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if ((int)response.StatusCode != 206)
            {
                throw new InvalidOperationException($"range read answered {(int)response.StatusCode}");
            }

            await using var body = await response.Content.ReadAsStreamAsync();
            _ = await body.ReadAsync(buffer.AsMemory(0, 1));
            h.RecordValue((long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            while (await body.ReadAsync(buffer) > 0)
            {
            }
        }

        return Percentiles.Of(h);
    }

    private static async Task UploadAsync(HttpClient http, BenchUser user, Guid id, long size, ulong seed, string? sha = null)
    {
        sha ??= await BenchApi.Sha256Of(new SyntheticCiphertextStream(size, seed));
        using var request = BenchApi.UploadRequest(user, id, size, sha, new StreamContent(new SyntheticCiphertextStream(size, seed), 1024 * 1024));
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"upload {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The server's allocated bytes so far, less what the scrapes themselves allocated.</summary>
    private static async Task<long> AllocatedAsync(HttpClient http)
    {
        // A scrape allocates too: take two in a row, and count the second's cost off every later reading.
        var a = await BenchApi.AllocatedBytesAsync(http);
        var b = await BenchApi.AllocatedBytesAsync(http);
        return b - (2 * (b - a));
    }

    // ---------------------------------------------------------------- 2. many small files

    private async Task SmallFilesAsync(ApiProcess server)
    {
        var clients = _o.Clients;
        using var http = BenchApi.NewClient(server.BaseAddress, clients + 8);
        var size = Hme1Format.CiphertextLength(16 * 1024, 65536);
        var users = await Task.WhenAll(Enumerable.Range(0, clients).Select(i => BenchApi.CreateUserAsync(http, "small" + i)));
        var bodies = Enumerable.Range(0, clients).Select(i => SyntheticCiphertextStream.ToArray(size, (ulong)(i + 1) * 7919)).ToArray();
        var shas = await Task.WhenAll(bodies.Select(b => BenchApi.Sha256Of(new MemoryStream(b))));
        var uploaded = Enumerable.Range(0, clients).Select(_ => new List<Guid>()).ToArray();
        Console.WriteLine($"[small] {clients} clients, 16 KiB ({size} bytes of ciphertext), {_o.LoadSeconds} s each way");

        Task<bool> Upload(int c, int i)
        {
            var id = Guid.CreateVersion7();
            return Send(http, () => BenchApi.UploadRequest(users[c], id, size, shas[c], new ByteArrayContent(bodies[c])), () => uploaded[c].Add(id));
        }

        Task<bool> Download(int c, int i)
        {
            var ids = uploaded[c];
            return Send(http, () => BenchApi.Authorized(HttpMethod.Get, $"/media/{ids[i % ids.Count]}", users[c].Token), null);
        }

        await LoadAsync("warm-up", clients, _o.WarmupSeconds, Upload);
        var up = await LoadAsync("Hoomi upload 16 KiB", clients, _o.LoadSeconds, Upload, server, "small-upload");
        var down = await LoadAsync("Hoomi download 16 KiB", clients, _o.LoadSeconds, Download, server, "small-download");

        LoadResult? nUp = null, nDown = null;
        if (_nginx is not null)
        {
            var nginx = _nginx;
            var counts = new int[clients];
            Task<bool> Put(int c, int i)
            {
                counts[c] = Math.Max(counts[c], i + 1);
                return Send(nginx, () => new HttpRequestMessage(HttpMethod.Put, $"/dav/small/{c}/{i}") { Content = new ByteArrayContent(bodies[c]) }, null);
            }

            Task<bool> Get(int c, int i) => Send(nginx, () => new HttpRequestMessage(HttpMethod.Get, $"/dav/small/{c}/{i % Math.Max(1, counts[c])}"), null);

            await LoadAsync("warm-up", clients, 1, Put);
            nUp = await LoadAsync("nginx PUT 16 KiB", clients, _o.LoadSeconds, Put);
            nDown = await LoadAsync("nginx GET 16 KiB", clients, _o.LoadSeconds, Get);
        }

        _results.LoadWarmupSeconds = _o.WarmupSeconds;
        _results.Loads.Add((up, nUp));
        _results.Loads.Add((down, nDown));
    }

    private static async Task<bool> Send(HttpClient http, Func<HttpRequestMessage> make, Action? onSuccess)
    {
        using var request = make();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        if (response.IsSuccessStatusCode)
        {
            onSuccess?.Invoke();
            return true;
        }

        var message = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        throw new HttpRequestException(message[..Math.Min(200, message.Length)]);
    }

    private async Task<LoadResult> LoadAsync(string name, int clients, double seconds, Func<int, int, Task<bool>> op, ApiProcess? server = null, string? phase = null)
    {
        var histograms = new LongHistogram[clients];
        var errors = new long[clients];
        var ok = new long[clients];
        var sample = "";
        var trace = server is null || phase is null ? null : Tracer.Start(_o, server, phase);
        var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var h = histograms[c] = Percentiles.NewHistogram();
            for (var i = 0; Stopwatch.GetTimestamp() < deadline; i++)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await op(c, i);
                    h.RecordValue((long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                    ok[c]++;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    errors[c]++;
                    sample = e.Message;
                }
            }
        })));
        var elapsed = sw.Elapsed.TotalSeconds;
        await Tracer.StopAsync(trace);
        var all = Percentiles.NewHistogram();
        foreach (var h in histograms)
        {
            all.Add(h);
        }

        var result = new LoadResult(name, clients, elapsed, ok.Sum(), errors.Sum(), Percentiles.Of(all), sample);
        Console.WriteLine($"  {name}: {result.PerSecond:0}/s, {result.Latency}, errors {result.Errors} {sample}");
        return result;
    }

    // ---------------------------------------------------------------- 3. hub fan-out

    private async Task FanoutAsync(ApiProcess server, int subscribers, double? seconds = null)
    {
        using var http = BenchApi.NewClient(server.BaseAddress, 64);
        var owner = await BenchApi.CreateUserAsync(http, "owner");
        // Subscribers are members without device keys (so the uploader wraps for its own key only), 100 connections each.
        var users = (subscribers + 99) / 100;
        var tokens = new List<string>();
        for (var u = 0; u < users; u++)
        {
            var email = $"sub{u}-{Guid.NewGuid():N}@example.com";
            tokens.Add(await BenchApi.RegisterAsync(http, email));
            await BenchApi.AddMemberAsync(http, owner, email, tokens[^1]);
        }

        var arrivals = new ConcurrentQueue<(Guid Id, long At)>();
        var connections = new ConcurrentBag<HubConnection>();
        var hubUrl = new Uri(server.BaseAddress, "/hubs/media");
        var sw = Stopwatch.StartNew();
        using (var gate = new SemaphoreSlim(16))
        {
            await Task.WhenAll(Enumerable.Range(0, subscribers).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    var token = tokens[i % users];
                    var connection = new HubConnectionBuilder()
                        .WithUrl(hubUrl, HttpTransportType.WebSockets, o =>
                        {
                            o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                            o.SkipNegotiation = true;
                        })
                        .Build();
                    connection.On<JsonElement>("MediaUploaded", e => arrivals.Enqueue((e.GetProperty("mediaId").GetGuid(), Stopwatch.GetTimestamp())));
                    await connection.StartAsync();
                    await connection.InvokeAsync("Joined");
                    connections.Add(connection);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var connectSeconds = sw.Elapsed.TotalSeconds;
        var uploads = (int)(_o.FanoutRate * (seconds ?? _o.FanoutSeconds));
        Console.WriteLine($"[fanout] {subscribers} subscribers connected in {connectSeconds:0.0} s; {uploads} uploads at {_o.FanoutRate}/s");
        var size = Hme1Format.CiphertextLength(16 * 1024, 65536);
        var body = SyntheticCiphertextStream.ToArray(size, 99);
        var sha = await BenchApi.Sha256Of(new MemoryStream(body));
        var sent = new ConcurrentDictionary<Guid, (long Start, long Response)>();
        server.ResetPeak();
        var trace = Tracer.Start(_o, server, "fanout-" + subscribers);
        var t0 = Stopwatch.GetTimestamp();
        var tasks = new List<Task>();
        for (var i = 0; i < uploads; i++)
        {
            var due = t0 + (long)(i / _o.FanoutRate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            tasks.Add(Task.Run(async () =>
            {
                var id = Guid.CreateVersion7();
                var start = Stopwatch.GetTimestamp();
                using var request = BenchApi.UploadRequest(owner, id, size, sha, new ByteArrayContent(body));
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                sent[id] = (start, Stopwatch.GetTimestamp());
            }));
        }

        await Task.WhenAll(tasks);
        var expected = (long)uploads * subscribers;
        var wait10 = Stopwatch.StartNew();
        while (arrivals.Count < expected && wait10.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        await Tracer.StopAsync(trace);
        var peak = server.PeakRssBytes();
        var fromResponse = Percentiles.NewHistogram();
        var fromStart = Percentiles.NewHistogram();
        long early = 0, delivered = 0;
        foreach (var (id, at) in arrivals)
        {
            if (!sent.TryGetValue(id, out var s))
            {
                continue;
            }

            delivered++;
            var afterResponse = Stopwatch.GetElapsedTime(s.Response, at).TotalMicroseconds;
            if (afterResponse < 0)
            {
                early++;
            }

            fromResponse.RecordValue((long)Math.Max(0, afterResponse));
            fromStart.RecordValue((long)Stopwatch.GetElapsedTime(s.Start, at).TotalMicroseconds);
        }

        await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
        var result = new FanoutResult(subscribers, uploads, _o.FanoutRate, expected, delivered, connectSeconds,
            Percentiles.Of(fromResponse), Percentiles.Of(fromStart), delivered == 0 ? 0 : early / (double)delivered, peak);
        Console.WriteLine($"  delivered {delivered}/{expected}; after the upload response: {result.FromResponse}; after request start: {result.FromRequestStart}");
        _results.Fanouts.Add(result);
    }
}
