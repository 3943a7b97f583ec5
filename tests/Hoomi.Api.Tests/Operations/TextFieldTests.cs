using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Api.Tests.Media;

namespace Hoomi.Api.Tests.Operations;

/// <summary>
/// Text fields through the real API (PostgreSQL): line breaks, control and bidirectional-override characters and
/// over-long values are a 400 with the field at fault, and nothing is stored. The campaign's findings were a mimeType
/// with CR/LF stored and echoed by /info, and hoomi names with control and override characters.
/// </summary>
public sealed class TextFieldTests
{
    private HoomiApiFactory _factory = null!;
    private MediaScene _scene = null!;

    [OneTimeSetUp]
    public async Task StartApi()
    {
        _factory = HoomiApiFactory.OnPostgres();
        _scene = await MediaScene.CreateAsync(_factory);
    }

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    private static async Task AssertFieldErrorAsync(HttpResponseMessage response, string field)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        var problem = await ApiClient.ProblemOf(response);
        Assert.That(problem["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:validation"));
        Assert.That(problem["errors"]![field], Is.Not.Null, problem.ToJsonString());
    }

    [TestCase("image/jpeg\r\nSet-Cookie: session=stolen")]
    [TestCase("image/jpeg\n")]
    [TestCase("image/jp\u00E9g")]
    [TestCase("image/jpeg\u0000")]
    public async Task A_mime_type_that_could_break_a_header_is_400_and_nothing_is_stored(string mimeType)
    {
        var upload = _scene.NewUpload();
        upload.MimeType = mimeType;

        var response = await _scene.Alice.Http.PostAsync($"/hoomis/{_scene.HoomiId}/media", upload.ToContent());

        await AssertFieldErrorAsync(response, "mimeType");
        Assert.That((await _scene.Alice.Http.GetAsync($"/media/{upload.MediaId}/info")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await DiskFullTests.ReservedBytesAsync(_factory, _scene.HoomiId), Is.Zero);
    }

    [TestCase("Fam\r\nily")]
    [TestCase("Fam\u0007ily")]
    [TestCase("Fam\u202Eylimaf")]
    [TestCase("Fam\u2067ily\u2069")]
    [TestCase("\uFEFFFamily")]
    public async Task A_hoomi_name_with_control_or_override_characters_is_400_and_no_hoomi_is_created(string name)
    {
        var before = (await _scene.Alice.Http.GetFromJsonAsync<JsonObject>("/hoomis"))!["items"]!.AsArray().Count;

        var response = await _scene.Alice.Http.PostAsJsonAsync("/hoomis", new { name });

        await AssertFieldErrorAsync(response, "name");
        Assert.That((await _scene.Alice.Http.GetFromJsonAsync<JsonObject>("/hoomis"))!["items"]!.AsArray(), Has.Count.EqualTo(before));
    }

    [Test]
    public async Task A_hoomi_name_of_101_characters_is_400_and_one_with_emoji_and_scripts_is_created()
    {
        await AssertFieldErrorAsync(await _scene.Alice.Http.PostAsJsonAsync("/hoomis", new { name = new string('a', 101) }), "name");
        var ok = await _scene.Alice.Http.PostAsJsonAsync("/hoomis", new { name = "Müller 家族 👨‍👩‍👧" });
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.Created), await ok.Content.ReadAsStringAsync());
    }

    [TestCase("not-a-key-id")]
    [TestCase("lI20Fp4pPAQUSgLaWOlCDW1n8ZMn92ckvWYCOaTSY78%0D%0A")]
    public async Task A_malformed_key_id_in_a_path_is_400_on_key_id(string keyId)
    {
        await AssertFieldErrorAsync(await _scene.Alice.Http.DeleteAsync($"/me/keys/{keyId}"), "keyId");
        await AssertFieldErrorAsync(await _scene.Alice.Http.DeleteAsync($"/media/{Guid.CreateVersion7()}/keys/{keyId}"), "keyId");
    }

    [Test]
    public async Task A_cursor_with_a_line_break_is_400()
    {
        await AssertFieldErrorAsync(await _scene.Alice.Http.GetAsync($"/hoomis/{_scene.HoomiId}/media?cursor=abc%0D%0Adef"), "cursor");
        await AssertFieldErrorAsync(await _scene.Alice.Http.GetAsync($"/hoomis/{_scene.HoomiId}/events?after=1%0D%0A2"), "after");
    }
}
