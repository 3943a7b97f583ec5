using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;

namespace Hoomi.Api.Tests.Infrastructure;

/// <summary>A signed-in test user talking to the API the way a client would (JSON over HTTP).</summary>
public sealed class ApiClient(HttpClient http, Guid userId, string userName)
{
    public HttpClient Http { get; } = http;

    public Guid UserId { get; } = userId;

    public string UserName { get; } = userName;

    public const string Password = "Corr3ct-horse!";

    /// <summary>The user's identity key (hoomi-e2ee-2), which signs the certificates of the user's device keys.</summary>
    public ECDsa Identity { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Registers a fresh local account (unique name), logs it in and returns a client carrying its bearer token.</summary>
    public static async Task<ApiClient> RegisterAsync(HttpClient http, string? name = null)
    {
        var userName = (name ?? "user") + "-" + Guid.NewGuid().ToString("N")[..8] + "@example.com";
        var register = await http.PostAsJsonAsync("/auth/register", new { email = userName, password = Password });
        Assert.That(register.StatusCode, Is.EqualTo(HttpStatusCode.OK), await register.Content.ReadAsStringAsync());
        var login = await http.PostAsJsonAsync("/auth/login", new { email = userName, password = Password });
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.OK), await login.Content.ReadAsStringAsync());
        var token = (await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = (await http.GetFromJsonAsync<JsonObject>("/me"))!;
        return new ApiClient(http, Guid.Parse(me["userId"]!.GetValue<string>()), userName);
    }

    public async Task<Guid> CreateHoomiAsync(string name = "Family")
    {
        var response = await Http.PostAsJsonAsync("/hoomis", new { name });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return Guid.Parse((await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());
    }

    /// <summary>Adds a member the way it happens: this owner invites, the invitee accepts.</summary>
    public async Task AddMemberAsync(Guid hoomiId, ApiClient member)
    {
        await InviteAsync(hoomiId, member.UserName);
        await member.AcceptAsync(hoomiId);
    }

    public async Task InviteAsync(Guid hoomiId, string userName)
    {
        var response = await Http.PostAsJsonAsync($"/hoomis/{hoomiId}/members", new { userName });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
    }

    public async Task AcceptAsync(Guid hoomiId)
    {
        var response = await Http.PostAsync($"/me/invitations/{hoomiId}/accept", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await response.Content.ReadAsStringAsync());
    }

    /// <summary>Generates a P-256 device key, registers its public half and returns the pair.</summary>
    public async Task<TestDeviceKey> RegisterDeviceKeyAsync()
    {
        var key = TestDeviceKey.Generate();
        var response = await Http.PutAsJsonAsync($"/me/keys/{key.KeyId}", new { publicKey = key.PublicKeyBase64Url });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return key;
    }

    /// <summary>Generates a device key with a signing key, certifies it with <see cref="Identity"/> and registers it (hoomi-e2ee-2).</summary>
    public async Task<TestDeviceKey> RegisterCertifiedDeviceKeyAsync()
    {
        var key = TestDeviceKey.Generate().CertifiedBy(Identity, UserId);
        var response = await Http.PutAsJsonAsync($"/me/keys/{key.KeyId}", key.RegistrationBody());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return key;
    }

    public static async Task<JsonObject> ProblemOf(HttpResponseMessage response)
    {
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"),
            $"expected problem details for {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }
}

public sealed record TestDeviceKey(ECDiffieHellman Pair, byte[] PublicKey, string KeyId)
{
    public string PublicKeyBase64Url => Base64Url.Encode(PublicKey);

    /// <summary>The device signing key (hoomi-e2ee-2); null for a legacy key.</summary>
    public ECDsa? Signing { get; init; }

    public byte[]? SigningKey { get; init; }

    public byte[]? IdentityKey { get; init; }

    /// <summary>The device certificate: the identity key's signature over the device certificate message.</summary>
    public byte[]? CertificateSignature { get; init; }

    /// <summary>This key with a new signing key and a certificate by <paramref name="identity"/> for the user <paramref name="userId"/>.</summary>
    public TestDeviceKey CertifiedBy(ECDsa identity, Guid userId)
    {
        var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signingKey = PointOf(signing);
        return this with
        {
            Signing = signing,
            SigningKey = signingKey,
            IdentityKey = PointOf(identity),
            CertificateSignature = identity.SignData(
                CertificateMessage(userId, PublicKey, signingKey), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        };
    }

    /// <summary>"hoomi-e2ee-2 device" || 0x00 || userId (36 ASCII) || publicKey (65) || signingKey (65), built here independently of the server.</summary>
    public static byte[] CertificateMessage(Guid userId, byte[] publicKey, byte[] signingKey) =>
        [.. "hoomi-e2ee-2 device"u8, 0x00, .. System.Text.Encoding.ASCII.GetBytes(userId.ToString("D")), .. publicKey, .. signingKey];

    /// <summary>The PUT /me/keys/{keyId} body: the public key, and the certificate when there is one.</summary>
    public JsonObject RegistrationBody()
    {
        var body = new JsonObject { ["publicKey"] = PublicKeyBase64Url };
        if (CertificateSignature is not null)
        {
            body["signingKey"] = Base64Url.Encode(SigningKey!);
            body["identityKey"] = Base64Url.Encode(IdentityKey!);
            body["signature"] = Base64Url.Encode(CertificateSignature);
        }

        return body;
    }

    /// <summary>A P1363 signature by the device signing key (the server only stores item and share signatures; clients check them).</summary>
    public byte[] Sign(byte[] message) =>
        Signing!.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public static byte[] PointOf(ECAlgorithm key)
    {
        var q = key.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    public static TestDeviceKey Generate()
    {
        var pair = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var p = pair.ExportParameters(false);
        byte[] sec1 = [0x04, .. p.Q.X!, .. p.Q.Y!];
        return new TestDeviceKey(pair, sec1, P256PublicKey.KeyIdOf(sec1));
    }
}

public static class JsonExtensions
{
    public static JsonSerializerOptions Web { get; } = new(JsonSerializerDefaults.Web);
}
