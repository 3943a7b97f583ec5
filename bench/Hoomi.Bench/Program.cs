using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Hoomi.Bench;
using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;
using Hoomi.Domain.Media;
using Hoomi.Testing;

// Large-transfer benchmark: starts the API (Release build) as its own process, uploads and downloads
// ciphertext of several sizes through HTTP on loopback, and reports throughput and the server's peak RSS
// during each transfer. Usage: dotnet run -c Release --project bench/Hoomi.Bench -- transfer [--storage filesystem|gcs|s3] [sizes in MiB...]
// (gcs and s3 start their emulator here, on this machine, and stop it at the end).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length > 0 && (args[0] == "soak" || (args[0] == "suite" && args.Contains("--soak"))))
{
    // The soak (bench/run --soak 30m; CI: soak --duration 2m): see Soak.cs.
    return await Soak.RunAsync(args[1..], FindRepoRoot());
}

if (args.Length > 0 && args[0] == "suite")
{
    // The whole benchmark (bench/run drives it): see Suite.cs.
    return await Suite.RunAsync(args[1..], FindRepoRoot());
}

var transferArgs = args.Skip(1).ToList();
var storageAt = transferArgs.IndexOf("--storage");
var storageName = storageAt >= 0 && storageAt + 1 < transferArgs.Count ? transferArgs[storageAt + 1].ToLowerInvariant() : "filesystem";
if (storageAt >= 0)
{
    transferArgs.RemoveRange(storageAt, Math.Min(2, transferArgs.Count - storageAt));
}

var sizesMiB = transferArgs.Select(long.Parse).DefaultIfEmpty(1).ToList();
if (args.Length == 0 || args[0] != "transfer")
{
    Console.WriteLine("usage: transfer [--storage filesystem|gcs|s3] [MiB ...]   (default: filesystem, 1)\n       suite [--quick] [--out DIR] [--nginx URL] [--disk TEXT] [--only transfer,range,small,fanout] [--trace DIR PHASES]");
    return 2;
}

var repo = FindRepoRoot();
var dataDir = Path.Combine(Path.GetTempPath(), "hoomi-bench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(dataDir);
using var postgres = PostgresServer.Start();
using var storage = BenchStorage.Start(storageName);
var rows = new List<string>();
foreach (var mib in sizesMiB)
{
    // A fresh server per size, so that each peak RSS belongs to one transfer only.
    using var server = ApiProcess.Start(repo, dataDir, postgres.CreateDatabase(), storage.Environment);
    using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromHours(1) };
    var (hoomiId, keyId) = await SetUpAsync(http);
    var plaintext = mib * 1024 * 1024;
    var size = Hme1Format.CiphertextLength(plaintext, 65536);
    var sha = await Sha256Of(new SyntheticCiphertextStream(size, 42));
    var idle = server.RssBytes();

    server.ResetPeak();
    var mediaId = Guid.CreateVersion7();
    var sw = Stopwatch.StartNew();
    using (var content = Multipart(mediaId, size, sha, keyId, new SyntheticCiphertextStream(size, 42)))
    {
        var response = await http.PostAsync($"/hoomis/{hoomiId}/media", content);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
        }
    }

    var upSeconds = sw.Elapsed.TotalSeconds;
    var upPeak = server.PeakRssBytes();

    server.ResetPeak();
    sw.Restart();
    using (var response = await http.GetAsync($"/media/{mediaId}", HttpCompletionOption.ResponseHeadersRead))
    {
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var got = await Sha256Of(body);
        if (got != sha)
        {
            throw new InvalidOperationException("downloaded bytes differ");
        }
    }

    var downSeconds = sw.Elapsed.TotalSeconds;
    var downPeak = server.PeakRssBytes();
    rows.Add(string.Create(CultureInfo.InvariantCulture,
        $"| {mib} MiB | {size / 1e6 / upSeconds:0.0} MB/s | {size / 1e6 / downSeconds:0.0} MB/s | {idle / 1048576.0:0.0} MiB | {upPeak / 1048576.0:0.0} MiB | {downPeak / 1048576.0:0.0} MiB |"));
}

Console.WriteLine($"storage: {storage.Name}");
Console.WriteLine("| size | upload | download | server RSS idle | peak RSS upload | peak RSS download |");
Console.WriteLine("|---|---|---|---|---|---|");
rows.ForEach(Console.WriteLine);
Directory.Delete(dataDir, recursive: true);
return 0;

static async Task<(Guid HoomiId, string KeyId)> SetUpAsync(HttpClient http)
{
    var email = $"bench-{Guid.NewGuid():N}@example.com";
    (await http.PostAsJsonAsync("/auth/register", new { email, password = "Bench-passw0rd!" })).EnsureSuccessStatusCode();
    var login = await (await http.PostAsJsonAsync("/auth/login", new { email, password = "Bench-passw0rd!" })).Content.ReadFromJsonAsync<JsonObject>();
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login!["accessToken"]!.GetValue<string>());
    using var ecdh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    var q = ecdh.ExportParameters(false).Q;
    byte[] pub = [0x04, .. q.X!, .. q.Y!];
    var keyId = P256PublicKey.KeyIdOf(pub);
    (await http.PutAsJsonAsync($"/me/keys/{keyId}", new { publicKey = Base64Url.Encode(pub) })).EnsureSuccessStatusCode();
    var hoomi = await (await http.PostAsJsonAsync("/hoomis", new { name = "bench" })).Content.ReadFromJsonAsync<JsonObject>();
    return (Guid.Parse(hoomi!["id"]!.GetValue<string>()), keyId);
}

static MultipartFormDataContent Multipart(Guid mediaId, long size, string sha, string keyId, Stream file)
{
    using var eph = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    var q = eph.ExportParameters(false).Q;
    var metadata = new JsonObject
    {
        ["mediaId"] = mediaId.ToString(),
        ["mimeType"] = "video/mp4",
        ["size"] = size,
        ["sha256"] = sha,
        ["wrappedKeys"] = new JsonArray(new JsonObject
        {
            ["recipientKeyId"] = keyId,
            ["enc"] = Base64Url.Encode([0x04, .. q.X!, .. q.Y!]),
            ["wrappedKey"] = Base64Url.Encode(RandomNumberGenerator.GetBytes(48)),
        }),
    };
    var content = new MultipartFormDataContent
    {
        { new StringContent(metadata.ToJsonString(), Encoding.UTF8, "application/json"), "metadata" },
    };
    var part = new StreamContent(file, 1024 * 1024);
    part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
    part.Headers.ContentLength = size;
    content.Add(part, "file", "blob");
    return content;
}

static async Task<string> Sha256Of(Stream stream)
{
    using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    var buffer = new byte[1024 * 1024];
    int n;
    while ((n = await stream.ReadAsync(buffer)) > 0)
    {
        sha.AppendData(buffer, 0, n);
    }

    return Convert.ToHexStringLower(sha.GetHashAndReset());
}

static string FindRepoRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hoomi.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
}
