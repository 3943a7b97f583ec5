using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Hoomi.Api.Tests.Accounts;

/// <summary>Production mode: bearer tokens from the organisation's identity provider (here minted by the test).</summary>
public sealed class JwtModeTests
{
    private const string Issuer = "https://id.example.test/";
    private const string Audience = "hoomi-api";

    private static readonly byte[] SigningKey = RandomNumberGenerator.GetBytes(32);

    private HoomiApiFactory _factory = null!;

    [OneTimeSetUp]
    public void StartApi() => _factory = HoomiApiFactory.OnPostgres(new Dictionary<string, string?>
    {
        ["Hoomi:Auth:Mode"] = "Jwt",
        ["Hoomi:Auth:Jwt:Issuer"] = Issuer,
        ["Hoomi:Auth:Jwt:Audience"] = Audience,
        ["Hoomi:Auth:Jwt:SigningKeys:0"] = Convert.ToBase64String(SigningKey),
    });

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    private static string Mint(
        string subject,
        string? userName = null,
        string issuer = Issuer,
        string audience = Audience,
        DateTime? expires = null,
        byte[]? key = null)
    {
        var now = DateTime.UtcNow;
        var exp = expires ?? now.AddMinutes(10);
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (userName is not null)
        {
            claims["preferred_username"] = userName;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = exp.AddMinutes(-20),
            NotBefore = exp.AddMinutes(-20),
            Expires = exp,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? SigningKey), SecurityAlgorithms.HmacSha256),
        });
    }

    private HttpClient ClientWith(string token)
    {
        var http = _factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static string NewName(string who) => who + "-" + Guid.NewGuid().ToString("N")[..8];

    [Test]
    public async Task A_valid_token_identifies_the_caller_and_can_create_a_hoomi()
    {
        var name = NewName("alice");
        var http = ClientWith(Mint(subject: Guid.NewGuid().ToString(), userName: name));

        var me = await http.GetAsync("/me");
        Assert.That(me.StatusCode, Is.EqualTo(HttpStatusCode.OK), await me.Content.ReadAsStringAsync());
        var body = (await me.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.That(body["userName"]!.GetValue<string>(), Is.EqualTo(name));

        var created = await http.PostAsJsonAsync("/hoomis", new { name = "Team" });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task The_same_subject_is_the_same_user_across_tokens()
    {
        var subject = "sub-" + Guid.NewGuid();
        var name = NewName("carol");
        var first = (await ClientWith(Mint(subject, name)).GetFromJsonAsync<JsonObject>("/me"))!;
        var second = (await ClientWith(Mint(subject, name)).GetFromJsonAsync<JsonObject>("/me"))!;
        Assert.That(second["userId"]!.GetValue<string>(), Is.EqualTo(first["userId"]!.GetValue<string>()));
    }

    [Test]
    public async Task A_user_is_provisioned_on_first_sight_and_can_be_added_to_a_hoomi_by_preferred_username()
    {
        var alice = ClientWith(Mint("sub-" + Guid.NewGuid(), NewName("alice")));
        var bobName = NewName("bob");
        var bob = ClientWith(Mint("sub-" + Guid.NewGuid(), bobName));
        var bobId = (await bob.GetFromJsonAsync<JsonObject>("/me"))!["userId"]!.GetValue<string>();

        var created = await alice.PostAsJsonAsync("/hoomis", new { name = "Team" });
        var hoomiId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var add = await alice.PostAsJsonAsync($"/hoomis/{hoomiId}/members", new { userName = bobName });
        Assert.That(add.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await add.Content.ReadAsStringAsync());
        Assert.That((await bob.PostAsync($"/me/invitations/{hoomiId}/accept", null)).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var members = (await alice.GetFromJsonAsync<JsonObject>($"/hoomis/{hoomiId}/members"))!["items"]!.AsArray();
        Assert.That(members.Select(m => m!["userId"]!.GetValue<string>()), Does.Contain(bobId));

        var bobsHoomis = (await bob.GetFromJsonAsync<JsonObject>("/hoomis"))!["items"]!.AsArray();
        Assert.That(bobsHoomis.Select(h => h!["id"]!.GetValue<string>()), Is.EqualTo(new[] { hoomiId }));
    }

    [Test]
    public async Task A_user_never_seen_cannot_be_added_yet_and_the_answer_does_not_say_so()
    {
        var alice = ClientWith(Mint("sub-" + Guid.NewGuid(), NewName("alice")));
        var created = await alice.PostAsJsonAsync("/hoomis", new { name = "Team" });
        var hoomiId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        var strangerName = NewName("stranger");
        var add = await alice.PostAsJsonAsync($"/hoomis/{hoomiId}/members", new { userName = strangerName });
        Assert.That(add.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "the same answer as for a known user");

        var stranger = ClientWith(Mint("sub-" + Guid.NewGuid(), strangerName));
        Assert.That((await stranger.GetFromJsonAsync<JsonObject>("/me/invitations"))!["items"]!.AsArray(), Is.Empty,
            "nobody was invited: the name had no account then");
    }

    public static IEnumerable<TestCaseData> BadTokens()
    {
        var subject = "sub-" + Guid.NewGuid();
        yield return new TestCaseData(Mint(subject, "x", audience: "someone-else")).SetName("A_token_for_another_audience_is_a_401");
        yield return new TestCaseData(Mint(subject, "x", issuer: "https://evil.example.test/")).SetName("A_token_from_another_issuer_is_a_401");
        yield return new TestCaseData(Mint(subject, "x", expires: DateTime.UtcNow.AddMinutes(-5))).SetName("An_expired_token_is_a_401");
        yield return new TestCaseData(Mint(subject, "x", key: RandomNumberGenerator.GetBytes(32))).SetName("A_token_signed_with_another_key_is_a_401");
        var valid = Mint(subject, "x");
        yield return new TestCaseData(valid[..valid.LastIndexOf('.')] + ".").SetName("An_unsigned_token_is_a_401");
        yield return new TestCaseData("not.a.jwt").SetName("A_malformed_token_is_a_401");
    }

    [TestCaseSource(nameof(BadTokens))]
    public async Task Bad_tokens_are_refused(string token)
    {
        var http = ClientWith(token);
        Assert.That((await http.GetAsync("/me")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await http.PostAsJsonAsync("/hoomis", new { name = "x" })).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Requests_without_a_token_get_401()
    {
        Assert.That((await _factory.CreateClient().GetAsync("/me")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [TestCase("/auth/register")]
    [TestCase("/auth/login")]
    [TestCase("/auth/refresh")]
    public async Task Local_account_endpoints_are_not_mapped(string path)
    {
        var response = await _factory.CreateClient().PostAsJsonAsync(path, new { email = "a@example.com", password = ApiClient.Password });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}

/// <summary>Configuration is checked when the service starts, with a message naming the setting.</summary>
public sealed class AuthConfigurationTests
{
    [Test]
    public void Jwt_mode_without_an_audience_fails_at_start_up_naming_the_setting()
    {
        using var factory = HoomiApiFactory.OnSqlite(new Dictionary<string, string?>
        {
            ["Hoomi:Auth:Mode"] = "Jwt",
            ["Hoomi:Auth:Jwt:Issuer"] = "https://id.example.test/",
            ["Hoomi:Auth:Jwt:SigningKeys:0"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });

        var error = Assert.Catch(() => factory.CreateClient());
        Assert.That(error!.Message, Does.Contain("Hoomi:Auth:Jwt:Audience is required when Hoomi:Auth:Mode is Jwt"));
    }

    [Test]
    public void Jwt_mode_without_authority_or_signing_keys_fails_at_start_up_naming_the_settings()
    {
        using var factory = HoomiApiFactory.OnSqlite(new Dictionary<string, string?>
        {
            ["Hoomi:Auth:Mode"] = "Jwt",
            ["Hoomi:Auth:Jwt:Audience"] = "hoomi-api",
        });

        var error = Assert.Catch(() => factory.CreateClient());
        Assert.That(error!.Message, Does.Contain("Authority").And.Contain("SigningKeys"));
    }
}
