using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hoomi.Domain.Common;
using Hoomi.Domain.Media;
using Hoomi.Testing;
using Npgsql;
using NpgsqlTypes;

namespace Hoomi.Bench;

/// <summary>
/// Scenario "scale" (issue 13, target 6): cost as the work grows. Three parts, each also selectable on its own
/// (--only scale-clients, scale-size, scale-hub; --only scale runs all three):
/// 16 KiB uploads and downloads with 1, 8, 32 and 128 clients against nginx at the same counts; list, deep-page,
/// download and event catch-up latency in a hoomi holding 1,000 and then 100,000 items (seeded in SQL) with the query
/// plans; hub delivery with 1,000 and 5,000 subscribers.
/// </summary>
public sealed partial class Suite
{
    private static readonly int[] ScaleClients = [1, 8, 32, 128];
    private static readonly int[] ScaleSizes = [1_000, 100_000];
    private static readonly int[] ScaleSubscribers = [1_000, 5_000];

    private bool RunsScale(string part) => _o.Runs("scale") || _o.Runs(part);

    private async Task RunScaleAsync(PostgresServer postgres, string dataDir)
    {
        if (RunsScale("scale-clients"))
        {
            using var server = ApiProcess.Start(_repo, dataDir, postgres.CreateDatabase());
            await ScaleClientsAsync(server);
        }

        if (RunsScale("scale-size"))
        {
            await ScaleSizeAsync(postgres, dataDir);
        }

        if (RunsScale("scale-hub"))
        {
            foreach (var n in ScaleSubscribers)
            {
                if (!_results.Fanouts.Any(f => f.Subscribers == n))
                {
                    using var server = ApiProcess.Start(_repo, dataDir, postgres.CreateDatabase());
                    await FanoutAsync(server, n, _o.Quick ? 3 : 10);
                }
            }
        }

        if (_results.Scale.Clients.Count + _results.Scale.Sizes.Count > 0 || _results.Fanouts.Count > 0)
        {
            Directory.CreateDirectory(_o.Out);
            ScaleChart.Write(_results, _o.Out);
        }
    }

    // ---------------------------------------------------------------- 6a. clients: 1, 8, 32, 128

    private async Task ScaleClientsAsync(ApiProcess server)
    {
        var max = ScaleClients[^1];
        var seconds = _o.Quick ? 2 : 6;
        using var http = BenchApi.NewClient(server.BaseAddress, max + 8);
        var size = Hme1Format.CiphertextLength(16 * 1024, 65536);
        var users = new BenchUser[max];
        using (var gate = new SemaphoreSlim(8))
        {
            await Task.WhenAll(Enumerable.Range(0, max).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    users[i] = await BenchApi.CreateUserAsync(http, "scale" + i);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var body = SyntheticCiphertextStream.ToArray(size, 4242);
        var sha = await BenchApi.Sha256Of(new MemoryStream(body));
        var uploaded = Enumerable.Range(0, max).Select(_ => new List<Guid>()).ToArray();
        Console.WriteLine($"[scale-clients] {string.Join(", ", ScaleClients)} clients, 16 KiB, {seconds} s per point");

        Task<bool> Upload(int c, int i)
        {
            var id = Guid.CreateVersion7();
            return Send(http, () => BenchApi.UploadRequest(users[c], id, size, sha, new ByteArrayContent(body)), () => { lock (uploaded[c]) { uploaded[c].Add(id); } });
        }

        Task<bool> Download(int c, int i)
        {
            Guid id;
            lock (uploaded[c])
            {
                id = uploaded[c][i % uploaded[c].Count];
            }

            return Send(http, () => BenchApi.Authorized(HttpMethod.Get, $"/media/{id}", users[c].Token), null);
        }

        // Every client uploads once, then the JIT warm-up on the fresh server (bench/README.md).
        await LoadAsync("warm-up", max, _o.Quick ? 2 : Math.Min(_o.WarmupSeconds, 10), Upload);
        var counts = new int[max];
        var nginx = _nginx;
        Task<bool> Put(int c, int i)
        {
            counts[c] = Math.Max(counts[c], i + 1);
            return Send(nginx!, () => new HttpRequestMessage(HttpMethod.Put, $"/dav/scale/{c}/{i}") { Content = new ByteArrayContent(body) }, null);
        }

        Task<bool> Get(int c, int i) => Send(nginx!, () => new HttpRequestMessage(HttpMethod.Get, $"/dav/scale/{c}/{i % Math.Max(1, counts[c])}"), null);

        if (nginx is not null)
        {
            await LoadAsync("warm-up", max, 1, Put);
        }

        foreach (var n in ScaleClients)
        {
            var up = await LoadAsync($"Hoomi upload, {n} clients", n, seconds, Upload);
            var down = await LoadAsync($"Hoomi download, {n} clients", n, seconds, Download);
            LoadResult? nUp = null, nDown = null;
            if (nginx is not null)
            {
                nUp = await LoadAsync($"nginx PUT, {n} clients", n, seconds, Put);
                nDown = await LoadAsync($"nginx GET, {n} clients", n, seconds, Get);
            }

            _results.Scale.Clients.Add(new ScaleClientsResult(n, up, down, nUp, nDown));
        }
    }

    // ---------------------------------------------------------------- 6b. hoomi size: 1,000 vs 100,000 items

    private async Task ScaleSizeAsync(PostgresServer postgres, string dataDir)
    {
        var database = postgres.CreateDatabase();
        // Two servers on one database: one measured as it runs, and one that logs every SQL command EF Core sends
        // (JSON console lines, parsed below) so that the plans are those of the real queries.
        var blobs = Path.Combine(dataDir, "blobs-scale-size");
        using var server = ApiProcess.Start(_repo, dataDir, database, new Dictionary<string, string> { ["Hoomi__Storage__FileSystem__Root"] = blobs });
        using var logging = ApiProcess.Start(_repo, dataDir, database, new Dictionary<string, string>
        {
            ["Hoomi__Storage__FileSystem__Root"] = blobs,
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command"] = "Information",
        }, captureOutput: true);
        using var http = BenchApi.NewClient(server.BaseAddress, 8);
        using var logHttp = BenchApi.NewClient(logging.BaseAddress, 2);
        var user = await BenchApi.CreateUserAsync(http, "size");
        var size = Hme1Format.CiphertextLength(16 * 1024, 65536);
        var template = Guid.CreateVersion7();
        await UploadAsync(http, user, template, size, 77);
        await using var db = NpgsqlDataSource.Create(database);
        var n = _o.Quick ? 50 : 200;
        var seeded = 1;
        foreach (var count in ScaleSizes)
        {
            var sw = Stopwatch.StartNew();
            await SeedAsync(db, user.HoomiId, template, seeded, count - 1);
            seeded = count;
            var seedSeconds = sw.Elapsed.TotalSeconds;
            Console.WriteLine($"[scale-size] {count:N0} items seeded ({seedSeconds:0.0} s)");

            // The deep page starts 90 % into the list (its cursor is made from that row as the service makes it);
            // the old item is the oldest one, the recent one the upload.
            var (deepAt, deepId) = await RowAtAsync(db, user.HoomiId, count * 9 / 10);
            var (_, oldest) = await RowAtAsync(db, user.HoomiId, count - 1);
            var deepCursor = MediaCursorOf(deepAt, deepId);
            var maxSequence = await ScalarAsync<long>(db, "SELECT max(sequence) FROM hoomi_events WHERE hoomi_id = $1", user.HoomiId);
            var oldEvent = Math.Max(1, maxSequence - (count * 9 / 10));
            var requests = new (string Name, string Path)[]
            {
                ("list, first page", $"/hoomis/{user.HoomiId}/media?limit=50"),
                ("list, 90 % deep", $"/hoomis/{user.HoomiId}/media?limit=50&cursor={deepCursor}"),
                ("download, recent", $"/media/{template}"),
                ("download, oldest", $"/media/{oldest}"),
                ("events, 90 % back", $"/hoomis/{user.HoomiId}/events?after={oldEvent}&limit=100"),
            };

            // Warm-up by time on the fresh server before the first size (tiered JIT settles in 10-15 s on two cores;
            // bench/README.md), then a few of each request at every size.
            var warmUntil = Stopwatch.StartNew();
            var warmSeconds = count == ScaleSizes[0] ? (_o.Quick ? 2 : Math.Max(10, _o.WarmupSeconds)) : 0;
            do
            {
                foreach (var (_, path) in requests)
                {
                    await Sequential(http, user, path, 10);
                }
            }
            while (warmUntil.Elapsed.TotalSeconds < warmSeconds);

            foreach (var (name, path) in requests)
            {
                var p = await Sequential(http, user, path, n);
                _results.Scale.Sizes.Add(new ScaleSizeResult(count, name, p));
                Console.WriteLine($"  {count:N0} items, {name}: {p}");
            }

            // The SQL behind each request, as EF Core sent it, and its plan at this size.
            var plans = new StringBuilder();
            plans.Append(CultureInfo.InvariantCulture, $"-- {count:N0} media items (and {maxSequence:N0} journal events) in hoomi {user.HoomiId}; ANALYZE run after seeding.\n");
            plans.Append("-- Each statement is the one EF Core logged (Microsoft.EntityFrameworkCore.Database.Command) for the request, with its parameters bound to the request's values.\n\n");
            var userId = await ScalarAsync<Guid>(db, "SELECT id FROM \"AspNetUsers\" WHERE email = $1", user.Email);
            var firstIds = await PageIdsAsync(db, user.HoomiId, 0);
            var deepIds = await PageIdsAsync(db, user.HoomiId, count * 9 / 10 + 1);
            var contexts = new[]
            {
                new ExplainValues(user.HoomiId, userId, null, null, null, null, 51, firstIds),
                new ExplainValues(user.HoomiId, userId, null, deepAt, deepId, null, 51, deepIds),
                new ExplainValues(user.HoomiId, userId, template, null, null, null, 0, []),
                new ExplainValues(user.HoomiId, userId, oldest, null, null, null, 0, []),
                new ExplainValues(user.HoomiId, userId, null, null, null, oldEvent, 101, []),
            };
            for (var r = 0; r < requests.Length; r++)
            {
                var (name, path) = requests[r];
                logging.TakeOutput();
                await Sequential(logHttp, user, path, 1);
                await Task.Delay(300); // the console logger writes on its own thread
                foreach (var command in EfCommands(logging.TakeOutput()))
                {
                    plans.Append(CultureInfo.InvariantCulture, $"==== {name}: GET {path}\n");
                    plans.Append(command.Sql).Append("\n-- parameters: ").Append(command.Parameters).Append('\n');
                    plans.Append(await ExplainAsync(db, command, contexts[r])).Append('\n');
                }
            }

            var file = Path.Combine(_o.Out, $"plans-{count}.txt");
            Directory.CreateDirectory(_o.Out);
            await File.WriteAllTextAsync(file, plans.ToString());
            _results.Scale.PlanFiles.Add(Path.GetFileName(file));
            _results.Scale.SeedSeconds[count] = seedSeconds;
        }
    }

    private static async Task<Percentiles> Sequential(HttpClient http, BenchUser user, string path, int n)
    {
        var h = Percentiles.NewHistogram();
        var buffer = new byte[64 * 1024];
        for (var i = 0; i < n; i++)
        {
            using var request = BenchApi.Authorized(HttpMethod.Get, path, user.Token);
            var start = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            await BenchApi.DrainAsync(response, buffer);
            h.RecordValue((long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        return Percentiles.Of(h);
    }

    /// <summary>
    /// Adds <paramref name="count"/> media rows (and one wrap each, and as many journal events) to the hoomi by copying
    /// every column of the template upload's rows — so the rows match the schema exactly, whatever its columns — with
    /// new ids (UUIDv7 of their time) and times one second apart going back from the oldest row so far. All rows share
    /// the template's blob, as forwarded items do, so any of them downloads real bytes.
    /// </summary>
    private static async Task SeedAsync(NpgsqlDataSource db, Guid hoomiId, Guid template, int already, int count)
    {
        if (count <= 0)
        {
            return;
        }

        var mediaColumns = await ColumnsAsync(db, "media");
        var created = "t.created_at - make_interval(secs => g.i)";
        var id = $"(lpad(to_hex(floor(extract(epoch from {created}) * 1000)::bigint), 12, '0') || '7' || substr(md5(g.i::text || 'h'), 1, 3) || '8' || substr(md5(g.i::text || 'h'), 4, 15))::uuid";
        var mediaSelect = string.Join(", ", mediaColumns.Select(c => c switch
        {
            "id" => id,
            "created_at" => created,
            _ => "t." + c,
        }));
        var wrapColumns = await ColumnsAsync(db, "wrapped_keys");
        var wrapSelect = string.Join(", ", wrapColumns.Select(c => c switch
        {
            "media_id" => "m.id",
            "created_at" => "m.created_at",
            _ => "w." + c,
        }));
        var eventColumns = await ColumnsAsync(db, "hoomi_events");
        var eventSelect = string.Join(", ", eventColumns.Select(c => c switch
        {
            "sequence" => "s.top + g.i",
            "created_at" => "now()",
            "dispatched_at" => "now()", // already sent: the dispatcher leaves them alone
            _ => "t." + c,
        }));
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await ExecAsync(conn, $"""
            INSERT INTO media ({string.Join(", ", mediaColumns)})
            SELECT {mediaSelect} FROM media t, generate_series($2::int, $3::int) AS g(i) WHERE t.id = $1
            """, template, already, already + count - 1);
        await ExecAsync(conn, $"""
            INSERT INTO wrapped_keys ({string.Join(", ", wrapColumns)})
            SELECT {wrapSelect} FROM media m CROSS JOIN (SELECT * FROM wrapped_keys WHERE media_id = $1) w
            WHERE m.hoomi_id = $2 AND m.id <> $1 AND NOT EXISTS (SELECT 1 FROM wrapped_keys x WHERE x.media_id = m.id)
            """, template, hoomiId);
        await ExecAsync(conn, $"""
            INSERT INTO hoomi_events ({string.Join(", ", eventColumns)})
            SELECT {eventSelect} FROM (SELECT * FROM hoomi_events WHERE hoomi_id = $1 ORDER BY sequence LIMIT 1) t,
                 (SELECT max(sequence) AS top FROM hoomi_events WHERE hoomi_id = $1) s, generate_series(1, $2::int) AS g(i)
            """, hoomiId, count);
        await tx.CommitAsync();
        await ExecAsync(conn, "ANALYZE media; ANALYZE wrapped_keys; ANALYZE hoomi_events");
    }

    private static async Task<List<string>> ColumnsAsync(NpgsqlDataSource db, string table)
    {
        await using var cmd = db.CreateCommand("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position");
        cmd.Parameters.Add(new NpgsqlParameter { Value = table });
        var columns = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    private static async Task ExecAsync(NpgsqlConnection conn, string sql, params object[] values)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 600 };
        foreach (var v in values)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = v });
        }

        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql, params object[] values)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var v in values)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = v });
        }

        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>The row at this position of the list order (newest first).</summary>
    private static async Task<(DateTime CreatedAt, Guid Id)> RowAtAsync(NpgsqlDataSource db, Guid hoomiId, int offset)
    {
        await using var cmd = db.CreateCommand("SELECT created_at, id FROM media WHERE hoomi_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = hoomiId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = offset });
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetDateTime(0), reader.GetGuid(1));
    }

    /// <summary>The ids of the list page that starts at this position (the ids the wraps query asks for).</summary>
    private static async Task<Guid[]> PageIdsAsync(NpgsqlDataSource db, Guid hoomiId, int offset)
    {
        await using var cmd = db.CreateCommand("SELECT id FROM media WHERE hoomi_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 50");
        cmd.Parameters.Add(new NpgsqlParameter { Value = hoomiId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = offset });
        var ids = new List<Guid>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return [.. ids];
    }

    /// <summary>The list cursor as the service formats it (Application's MediaCursor): base64url of "utcTicks:idN".</summary>
    private static string MediaCursorOf(DateTime createdAt, Guid id) =>
        Base64Url.Encode(Encoding.ASCII.GetBytes(createdAt.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture) + ":" + id.ToString("N")));

    private sealed record EfCommand(string Sql, string Parameters);

    /// <summary>The SQL commands in the EF Core log lines (JSON console formatter) of one request.</summary>
    private static List<EfCommand> EfCommands(IEnumerable<string> lines)
    {
        var commands = new List<EfCommand>();
        foreach (var line in lines)
        {
            if (!line.StartsWith('{') || !line.Contains("Microsoft.EntityFrameworkCore.Database.Command", StringComparison.Ordinal))
            {
                continue;
            }

            using var json = JsonDocument.Parse(line);
            if (!json.RootElement.TryGetProperty("State", out var state) || !state.TryGetProperty("commandText", out var text))
            {
                continue;
            }

            var sql = text.GetString()!;
            if (sql.Contains("dispatched_at IS NULL", StringComparison.Ordinal))
            {
                continue; // the server's background event dispatcher, not the request
            }

            // The service's own per-request queries (membership, Identity) are listed too: they are part of the cost.
            commands.Add(new EfCommand(sql, state.TryGetProperty("parameters", out var p) ? p.GetString() ?? "" : ""));
        }

        return commands;
    }

    /// <summary>The values one request's SQL was sent with, for EXPLAIN.</summary>
    private sealed record ExplainValues(Guid HoomiId, Guid UserId, Guid? MediaId, DateTime? CursorAt, Guid? CursorId, long? AfterSequence, int Limit, Guid[] PageIds);

    /// <summary>
    /// EXPLAIN (ANALYZE, BUFFERS) of a logged command. EF Core logs parameter names and types, not values (no
    /// sensitive-data logging): each is bound to the request's value by what it names (hoomi, user/caller, media, the
    /// cursor's time and id, the event sequence, the limit, the page's ids), as positional parameters of the same
    /// types, so the plan is the custom plan PostgreSQL made for the request.
    /// </summary>
    private static async Task<string> ExplainAsync(NpgsqlDataSource db, EfCommand command, ExplainValues v)
    {
        var names = Regex.Matches(command.Parameters, @"(@[A-Za-z0-9_]+)='[^']*'(?: \(DbType = ([A-Za-z0-9]+)\))?").Select(m => (Name: m.Groups[1].Value, Type: m.Groups[2].Value)).ToList();
        var sql = command.Sql;
        var values = new List<object>();
        foreach (var (name, type) in names.OrderByDescending(x => x.Name.Length))
        {
            var lower = name.ToLowerInvariant();
            object? value = type switch
            {
                "DateTime" or "DateTimeOffset" => v.CursorAt is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null,
                "Int64" => v.AfterSequence,
                "Int32" => v.Limit,
                "Object" when lower.Contains("ids", StringComparison.Ordinal) => v.PageIds,
                "Guid" when lower.Contains("hoomi", StringComparison.Ordinal) => v.HoomiId,
                "Guid" when lower.Contains("user", StringComparison.Ordinal) || lower.Contains("caller", StringComparison.Ordinal) => v.UserId,
                "Guid" when lower.Contains("media", StringComparison.Ordinal) => v.MediaId,
                "Guid" when lower.Contains("after", StringComparison.Ordinal) => v.CursorId,
                _ => null,
            };
            if (value is null)
            {
                return $"-- (not explained: no value known for {name} {type})\n";
            }

            values.Add(value);
            sql = Regex.Replace(sql, Regex.Escape(name) + @"\b", "$$" + values.Count.ToString(CultureInfo.InvariantCulture));
        }

        await using var cmd = db.CreateCommand("EXPLAIN (ANALYZE, BUFFERS) " + sql);
        foreach (var value in values)
        {
            cmd.Parameters.Add(value is DateTimeOffset t ? new NpgsqlParameter { Value = t, NpgsqlDbType = NpgsqlDbType.TimestampTz } : new NpgsqlParameter { Value = value });
        }

        var plan = new StringBuilder();
        try
        {
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                plan.Append(reader.GetString(0)).Append('\n');
            }
        }
        catch (PostgresException e)
        {
            plan.Append("-- (not explained: ").Append(e.MessageText).Append(")\n");
        }

        return plan.ToString();
    }
}

public sealed record ScaleClientsResult(int Clients, LoadResult Up, LoadResult Down, LoadResult? NginxUp, LoadResult? NginxDown);

public sealed record ScaleSizeResult(int Items, string Operation, Percentiles Latency);

/// <summary>What the scale scenario measured.</summary>
public sealed class ScaleResults
{
    public List<ScaleClientsResult> Clients { get; } = [];

    public List<ScaleSizeResult> Sizes { get; } = [];

    public List<string> PlanFiles { get; } = [];

    public Dictionary<int, double> SeedSeconds { get; } = [];
}
