using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Hoomi.Client.Crypto;
using Hoomi.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Hoomi.Benchmarks;

/// <summary>
/// The whole service for one request, in process: the real <c>Program</c> (every middleware, authentication with a
/// local bearer token, the Mediator pipeline, the use case, EF Core and the filesystem store) in a TestServer, on a
/// throwaway PostgreSQL cluster (as the load test runs it) or a SQLite file. <see cref="Upload"/> posts a 16 KiB file
/// (its HME1 ciphertext, one wrapped key, no thumbnail) under a new media id and checks the 201;
/// <see cref="Download"/> reads one stored file back; <see cref="Live"/> is the floor, an anonymous
/// <c>GET /health/live</c>: what TestServer, the HttpClient and the middleware cost whatever the endpoint.
/// MemoryDiagnoser counts every thread of the process, so the figures include the client's side of the request.
/// Run it in process (<c>--inProcess</c>): the TestServer is hosted in the benchmark's own process.
/// </summary>
[MemoryDiagnoser]
public class EndpointBenchmarks
{
    private const string Password = "Corr3ct-horse!";
    private PostgresServer? _postgres;
    private WebApplicationFactory<Program>? _factory;
    private HttpClient _http = null!;
    private string _directory = "";
    private Guid _hoomiId;
    private byte[] _body = [];
    private string _contentType = "";
    private int _mediaIdOffset;
    private string _downloadPath = "";
    private long _fileLength;

    [Params("Postgres", "Sqlite")]
    public string Provider { get; set; } = "Postgres";

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "hoomi-endpoint-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_directory);
        string connectionString;
        if (Provider == "Postgres")
        {
            _postgres = PostgresServer.Start();
            connectionString = _postgres.CreateDatabase();
        }
        else
        {
            connectionString = $"Data Source={Path.Combine(_directory, "hoomi.db")}";
        }

        var settings = new Dictionary<string, string?>
        {
            ["Hoomi:Database:Provider"] = Provider,
            ["Hoomi:Database:ConnectionString"] = connectionString,
            ["Hoomi:Storage:Provider"] = "FileSystem",
            ["Hoomi:Storage:FileSystem:Root"] = Path.Combine(_directory, "blobs"),
            ["Hoomi:RateLimits:Enabled"] = "false",
            // No timers allocating in the background while MemoryDiagnoser counts the whole process.
            ["Hoomi:Retention:RunJobs"] = "false",
        };
        // The test host looks for the Api's content root next to the solution; this process runs from its own bin.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_HOOMI_API", AppContext.BaseDirectory);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            foreach (var (k, v) in settings)
            {
                b.UseSetting(k, v);
            }
        });
        _http = _factory.CreateClient();

        var user = "bench-" + Guid.NewGuid().ToString("N")[..8] + "@example.com";
        Require(await _http.PostAsJsonAsync("/auth/register", new { email = user, password = Password }), HttpStatusCode.OK);
        var login = Require(await _http.PostAsJsonAsync("/auth/login", new { email = user, password = Password }), HttpStatusCode.OK);
        var token = (await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var device = DeviceKeyPair.Generate();
        Require(await _http.PutAsJsonAsync($"/me/keys/{device.KeyId}", new { publicKey = Base64Url.Encode(device.PublicKey.Span) }), HttpStatusCode.Created);
        var hoomi = Require(await _http.PostAsJsonAsync("/hoomis", new { name = "bench" }), HttpStatusCode.Created);
        _hoomiId = Guid.Parse((await hoomi.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());

        // One body, reused: each call writes a new media id (36 ASCII characters) over the previous one in place.
        var sample = UploadSample.Create(16 * 1024, 0, device);
        (_body, _contentType) = await sample.MultipartBodyAsync();
        _mediaIdOffset = Encoding.ASCII.GetString(_body).IndexOf(sample.MediaId.ToString("D"), StringComparison.Ordinal);
        _fileLength = sample.Ciphertext.LongLength;

        await Upload();
        _downloadPath = $"/media/{Encoding.ASCII.GetString(_body, _mediaIdOffset, 36)}";
        await JitWarmup.UntilSettledAsync($"endpoints on {Provider}", async () =>
        {
            await Upload();
            await Download();
            await Live();
        }, TimeSpan.FromSeconds(60));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _factory?.Dispose();
        _postgres?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Benchmark]
    public async Task<HttpStatusCode> Upload()
    {
        Guid.CreateVersion7().TryFormat(_body.AsSpan(_mediaIdOffset, 36), out _);
        using var content = new ByteArrayContent(_body);
        content.Headers.TryAddWithoutValidation("Content-Type", _contentType);
        using var response = await _http.PostAsync(new Uri($"/hoomis/{_hoomiId}/media", UriKind.Relative), content);
        return response.StatusCode == HttpStatusCode.Created
            ? response.StatusCode
            : throw new InvalidOperationException($"Upload: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Benchmark]
    public async Task<long> Download()
    {
        using var response = await _http.GetAsync(new Uri(_downloadPath, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var length = 0L;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            length += read;
        }

        System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        return response.StatusCode == HttpStatusCode.OK && length == _fileLength
            ? length
            : throw new InvalidOperationException($"Download: {response.StatusCode}, {length} bytes");
    }

    [Benchmark(Baseline = true)]
    public async Task<HttpStatusCode> Live()
    {
        using var response = await _http.GetAsync(new Uri("/health/live", UriKind.Relative));
        return response.StatusCode;
    }

    private static HttpResponseMessage Require(HttpResponseMessage response, HttpStatusCode status) =>
        response.StatusCode == status ? response : throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {response.StatusCode}");
}
