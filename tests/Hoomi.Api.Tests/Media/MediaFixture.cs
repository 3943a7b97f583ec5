using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;

namespace Hoomi.Api.Tests.Media;

/// <summary>
/// A hoomi with an owner (alice, one device) and a member (bob, one device), plus an outsider. Alice's and
/// bob's device keys carry device certificates (hoomi-e2ee-2), so they can sign uploads and shares.
/// </summary>
public sealed class MediaScene
{
    public required ApiClient Alice { get; init; }
    public required ApiClient Bob { get; init; }
    public required ApiClient Mallory { get; init; }
    public required TestDeviceKey AliceKey { get; init; }
    public required TestDeviceKey BobKey { get; init; }
    public required Guid HoomiId { get; init; }

    public static async Task<MediaScene> CreateAsync(HoomiApiFactory factory)
    {
        var alice = await ApiClient.RegisterAsync(factory.CreateClient(), "alice");
        var bob = await ApiClient.RegisterAsync(factory.CreateClient(), "bob");
        var mallory = await ApiClient.RegisterAsync(factory.CreateClient(), "mallory");
        var aliceKey = await alice.RegisterCertifiedDeviceKeyAsync();
        var bobKey = await bob.RegisterCertifiedDeviceKeyAsync();
        await mallory.RegisterDeviceKeyAsync();
        var hoomi = await alice.CreateHoomiAsync();
        await alice.AddMemberAsync(hoomi, bob);
        return new MediaScene { Alice = alice, Bob = bob, Mallory = mallory, AliceKey = aliceKey, BobKey = bobKey, HoomiId = hoomi };
    }

    public MediaUpload NewUpload() => MediaUpload.For(AliceKey, BobKey);

    public async Task<JsonObject> UploadAsync(ApiClient who, MediaUpload upload)
    {
        var response = await who.Http.PostAsync($"/hoomis/{HoomiId}/media", upload.ToContent());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
