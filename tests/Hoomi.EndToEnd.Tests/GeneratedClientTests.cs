using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Hoomi.EndToEnd.Tests.Generated;
using Hoomi.EndToEnd.Tests.Infrastructure;

namespace Hoomi.EndToEnd.Tests;

/// <summary>
/// The OpenAPI document is real: the running API serves exactly the checked-in <c>docs/openapi/v1.json</c>, and a
/// client NSwag generated from it (at build time, see the project file) registers, logs in, creates a hoomi, lists
/// its media and gets problem details as typed errors.
/// </summary>
[TestFixture]
public sealed class GeneratedClientTests
{
    private ApiHost _api = null!;

    [OneTimeSetUp]
    public void Start() => _api = ApiHost.Start();

    [OneTimeTearDown]
    public void Stop() => _api?.Dispose();

    private static string DocumentPath([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "docs", "openapi", "v1.json"));

    [Test]
    public async Task The_server_serves_the_checked_in_openapi_document()
    {
        using var http = new HttpClient { BaseAddress = _api.BaseAddress };
        var served = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!.AsObject();
        served.Remove("servers"); // the address the server listens on
        var text = served.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
        var path = DocumentPath();
        if (Environment.GetEnvironmentVariable("HOOMI_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, text);
        }

        var checkedIn = JsonNode.Parse(await File.ReadAllTextAsync(path));
        Assert.That(JsonNode.DeepEquals(served, checkedIn), Is.True,
            "docs/openapi/v1.json is not what the API serves: after changing an endpoint run " +
            "HOOMI_UPDATE_OPENAPI=1 dotnet test tests/Hoomi.EndToEnd.Tests --filter The_server_serves_the_checked_in_openapi_document, then rebuild");
    }

    [Test]
    public async Task A_generated_client_registers_logs_in_creates_a_hoomi_and_lists_its_media()
    {
        using var http = new HttpClient { BaseAddress = _api.BaseAddress };
        var client = new HoomiOpenApiClient(http);
        var email = $"nswag-{Guid.NewGuid():N}@example.com";
        await client.RegisterAsync(new RegisterRequest { Email = email, Password = "Generated-passw0rd!" });
        var tokens = await client.LoginAsync(null, null, new LoginRequest { Email = email, Password = "Generated-passw0rd!" });
        Assert.That(tokens.AccessToken, Is.Not.Empty);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);

        var hoomi = await client.CreateHoomiAsync(new CreateHoomiRequest { Name = "Generated" });
        Assert.That(hoomi.Name, Is.EqualTo("Generated"));
        var hoomis = await client.ListHoomisAsync();
        Assert.That(hoomis.Items.Select(h => h.Id), Does.Contain(hoomi.Id));
        var media = await client.ListMediaAsync(hoomi.Id, null, null);
        Assert.That(media.Items, Is.Empty);
        Assert.That(media.NextCursor, Is.Null);

        // An error is a described problem response, so the generated client gives it typed.
        var missing = Assert.ThrowsAsync<ApiException<ProblemDetails>>(async () => await client.GetHoomiAsync(Guid.NewGuid()));
        Assert.That(missing!.StatusCode, Is.EqualTo(404));
        Assert.That(missing.Result.Type, Does.StartWith("urn:hoomi:problem:"));
        var invalid = Assert.ThrowsAsync<ApiException<ProblemDetails>>(async () => await client.CreateHoomiAsync(new CreateHoomiRequest { Name = "" }));
        Assert.That(invalid!.StatusCode, Is.EqualTo(400));
        Assert.That(invalid.Result.Errors, Is.Not.Empty);
    }
}
