using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;

namespace Hoomi.Api.Tests.Accounts;

/// <summary>The Data Protection key ring that protects local tokens, encrypted at rest with a configured certificate.</summary>
public sealed class DataProtectionAtRestTests
{
    private const string CertificatePassword = "pfx-Passw0rd";

    private string _work = null!;

    [SetUp]
    public void CreateFolder()
    {
        _work = Path.Combine(Path.GetTempPath(), "hoomi-dp-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_work);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_work, recursive: true);

    private string NewCertificateFile(string name)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=hoomi-data-protection-" + name, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(_work, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, CertificatePassword));
        return path;
    }

    private static async Task<string> RegisterAndLoginAsync(HttpClient http)
    {
        var email = "dp-" + Guid.NewGuid().ToString("N")[..10] + "@example.com";
        Assert.That((await http.PostAsJsonAsync("/auth/register", new { email, password = ApiClient.Password })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var login = await http.PostAsJsonAsync("/auth/login", new { email, password = ApiClient.Password });
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.OK), await login.Content.ReadAsStringAsync());
        return (await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
    }

    private static async Task<HttpStatusCode> MeAsync(HoomiApiFactory factory, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await factory.CreateClient().SendAsync(request)).StatusCode;
    }

    [Test]
    public async Task Keys_are_written_encrypted_and_another_instance_with_the_certificate_file_reads_the_tokens()
    {
        var keys = Path.Combine(_work, "keys");
        var certificate = NewCertificateFile("current");
        var settings = new Dictionary<string, string?>
        {
            ["Hoomi:DataProtection:KeysDirectory"] = keys,
            ["Hoomi:DataProtection:CertificatePath"] = certificate,
            ["Hoomi:DataProtection:CertificatePassword"] = CertificatePassword,
        };
        using var first = HoomiApiFactory.OnPostgres(settings);
        var token = await RegisterAndLoginAsync(first.CreateClient());
        Assert.That(await MeAsync(first, token), Is.EqualTo(HttpStatusCode.OK));

        var files = Directory.GetFiles(keys, "key-*.xml");
        Assert.That(files, Is.Not.Empty);
        foreach (var file in files)
        {
            var xml = await File.ReadAllTextAsync(file);
            Assert.That(xml, Does.Contain("encryptedSecret").And.Contain("EncryptedData"), "the key is encrypted to the certificate");
            Assert.That(xml, Does.Not.Contain("<masterKey"), "no key material in the clear");
        }

        // A second instance (same database and key folder), with the certificate only as a file, not in any store.
        settings["Hoomi:Database:ConnectionString"] = first.ConnectionString;
        using var second = HoomiApiFactory.OnPostgres(settings);
        Assert.That(await MeAsync(second, token), Is.EqualTo(HttpStatusCode.OK));

        // Certificate rotation: the new certificate protects new keys, the previous one still decrypts the old.
        settings["Hoomi:DataProtection:CertificatePath"] = NewCertificateFile("next");
        settings["Hoomi:DataProtection:PreviousCertificatePaths:0"] = certificate;
        using var rotated = HoomiApiFactory.OnPostgres(settings);
        Assert.That(await MeAsync(rotated, token), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void A_certificate_without_a_keys_directory_stops_the_service_naming_the_settings()
    {
        using var factory = HoomiApiFactory.OnPostgres(new Dictionary<string, string?>
        {
            ["Hoomi:DataProtection:CertificatePath"] = NewCertificateFile("lonely"),
            ["Hoomi:DataProtection:CertificatePassword"] = CertificatePassword,
        });
        var e = Assert.Catch(() => factory.CreateClient());
        Assert.That(e!.ToString(), Does.Contain("Hoomi:DataProtection:KeysDirectory"));
    }

    [Test]
    public void A_wrong_certificate_password_stops_the_service_naming_the_setting()
    {
        using var factory = HoomiApiFactory.OnPostgres(new Dictionary<string, string?>
        {
            ["Hoomi:DataProtection:KeysDirectory"] = Path.Combine(_work, "keys"),
            ["Hoomi:DataProtection:CertificatePath"] = NewCertificateFile("locked"),
            ["Hoomi:DataProtection:CertificatePassword"] = "not-the-password",
        });
        var e = Assert.Catch(() => factory.CreateClient());
        Assert.That(e!.ToString(), Does.Contain("Hoomi:DataProtection:CertificatePath"));
    }
}
