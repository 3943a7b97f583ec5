using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;

namespace Hoomi.Bench;

/// <summary>One benchmark user on the API: a bearer token, a device key and a hoomi of their own.</summary>
public sealed record BenchUser(string Email, string Token, string KeyId, Guid HoomiId);

/// <summary>The HTTP calls the scenarios make against Hoomi, and a few helpers.</summary>
public static class BenchApi
{
    public const string Password = "Bench-passw0rd!";

    /// <summary>A client with room for many concurrent requests on loopback.</summary>
    public static HttpClient NewClient(Uri baseAddress, int connections = 256) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromHours(1),
        };

    public static async Task<string> RegisterAsync(HttpClient http, string email)
    {
        (await http.PostAsJsonAsync("/auth/register", new { email, password = Password })).EnsureSuccessStatusCode();
        var login = await (await http.PostAsJsonAsync("/auth/login", new { email, password = Password })).Content.ReadFromJsonAsync<JsonObject>();
        return login!["accessToken"]!.GetValue<string>();
    }

    /// <summary>Registers a user with one device key and creates a hoomi they own.</summary>
    public static async Task<BenchUser> CreateUserAsync(HttpClient http, string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}@example.com";
        var token = await RegisterAsync(http, email);
        using var ecdh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = ecdh.ExportParameters(false).Q;
        byte[] pub = [0x04, .. q.X!, .. q.Y!];
        var keyId = P256PublicKey.KeyIdOf(pub);
        using (var put = Authorized(HttpMethod.Put, $"/me/keys/{keyId}", token))
        {
            put.Content = JsonContent.Create(new { publicKey = Base64Url.Encode(pub) });
            (await http.SendAsync(put)).EnsureSuccessStatusCode();
        }

        using var post = Authorized(HttpMethod.Post, "/hoomis", token);
        post.Content = JsonContent.Create(new { name = "bench" });
        using var created = await http.SendAsync(post);
        created.EnsureSuccessStatusCode();
        var hoomi = await created.Content.ReadFromJsonAsync<JsonObject>();
        return new BenchUser(email, token, keyId, Guid.Parse(hoomi!["id"]!.GetValue<string>()));
    }

    /// <summary>The owner invites the member, who accepts (<paramref name="memberToken"/> is the member's).</summary>
    public static async Task AddMemberAsync(HttpClient http, BenchUser owner, string memberEmail, string memberToken)
    {
        using var post = Authorized(HttpMethod.Post, $"/hoomis/{owner.HoomiId}/members", owner.Token);
        post.Content = JsonContent.Create(new { userName = memberEmail });
        (await http.SendAsync(post)).EnsureSuccessStatusCode();
        using var accept = Authorized(HttpMethod.Post, $"/me/invitations/{owner.HoomiId}/accept", memberToken);
        (await http.SendAsync(accept)).EnsureSuccessStatusCode();
    }

    public static HttpRequestMessage Authorized(HttpMethod method, string path, string token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>An upload request for <paramref name="file"/> wrapped for the user's one device key.</summary>
    public static HttpRequestMessage UploadRequest(BenchUser user, Guid mediaId, long size, string sha, HttpContent file)
    {
        var metadata = new JsonObject
        {
            ["mediaId"] = mediaId.ToString(),
            ["mimeType"] = "video/mp4",
            ["size"] = size,
            ["sha256"] = sha,
            ["wrappedKeys"] = new JsonArray(new JsonObject
            {
                ["recipientKeyId"] = user.KeyId,
                ["enc"] = FakeEnc,
                ["wrappedKey"] = FakeWrappedKey,
            }),
        };
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        file.Headers.ContentLength = size;
        var content = new MultipartFormDataContent
        {
            { new StringContent(metadata.ToJsonString(), Encoding.UTF8, "application/json"), "metadata" },
            { file, "file", "blob" },
        };
        var request = Authorized(HttpMethod.Post, $"/hoomis/{user.HoomiId}/media", user.Token);
        request.Content = content;
        return request;
    }

    public static async Task<string> Sha256Of(Stream stream)
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

    /// <summary>Reads a response body to its end, counting bytes, without keeping them.</summary>
    public static async Task<long> DrainAsync(HttpResponseMessage response, byte[] buffer)
    {
        await using var body = await response.Content.ReadAsStreamAsync();
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0)
        {
            total += n;
        }

        return total;
    }

    /// <summary>The process's total managed allocations so far, from the Prometheus exposition at /metrics (or -1).</summary>
    public static async Task<long> AllocatedBytesAsync(HttpClient http)
    {
        try
        {
            var text = await http.GetStringAsync("/metrics");
            foreach (var line in text.Split('\n'))
            {
                if ((line.StartsWith("dotnet_gc_heap_total_allocated_bytes", StringComparison.Ordinal)
                     || line.StartsWith("process_runtime_dotnet_gc_allocations_size_bytes", StringComparison.Ordinal))
                    && !line.StartsWith('#'))
                {
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return (long)double.Parse(parts[1], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (HttpRequestException)
        {
        }

        return -1;
    }

    private static readonly string FakeEnc = MakeEnc();
    private static readonly string FakeWrappedKey = Base64Url.Encode(RandomNumberGenerator.GetBytes(48));

    private static string MakeEnc()
    {
        using var eph = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = eph.ExportParameters(false).Q;
        return Base64Url.Encode([0x04, .. q.X!, .. q.Y!]);
    }
}
