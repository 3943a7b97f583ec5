using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Domain.Common;

namespace Hoomi.Api.Tests.Keys;

/// <summary>Device certificates on PUT /me/keys/{keyId} (hoomi-e2ee-2): checked by the server, listed to the owner and to members.</summary>
public sealed class DeviceCertificateEndpointsTests
{
    private HoomiApiFactory _factory = null!;

    [OneTimeSetUp]
    public void StartApi() => _factory = HoomiApiFactory.OnPostgres();

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    private Task<ApiClient> UserAsync(string name) => ApiClient.RegisterAsync(_factory.CreateClient(), name);

    private static Task<HttpResponseMessage> PutAsync(ApiClient who, TestDeviceKey key, JsonObject? body = null) =>
        who.Http.PutAsJsonAsync($"/me/keys/{key.KeyId}", body ?? key.RegistrationBody());

    private static async Task<JsonArray> MyKeysAsync(ApiClient who) =>
        (await who.Http.GetFromJsonAsync<JsonObject>("/me/keys"))!["items"]!.AsArray();

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.That(response.StatusCode, Is.EqualTo(status), await response.Content.ReadAsStringAsync());
        return await ApiClient.ProblemOf(response);
    }

    private static string? Text(JsonNode? node, string name) => node?[name]?.GetValue<string>();

    private static void AssertCertificate(JsonNode? json, TestDeviceKey key)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Text(json, "keyId"), Is.EqualTo(key.KeyId));
            Assert.That(Text(json, "publicKey"), Is.EqualTo(key.PublicKeyBase64Url));
            Assert.That(Text(json, "signingKey"), Is.EqualTo(Base64Url.Encode(key.SigningKey!)));
            Assert.That(Text(json, "identityKey"), Is.EqualTo(Base64Url.Encode(key.IdentityKey!)));
            Assert.That(Text(json, "signature"), Is.EqualTo(Base64Url.Encode(key.CertificateSignature!)));
        });
    }

    [Test]
    public async Task A_key_with_a_valid_certificate_is_201_and_listed_with_signing_key_identity_key_and_signature()
    {
        var alice = await UserAsync("alice");
        var key = TestDeviceKey.Generate().CertifiedBy(alice.Identity, alice.UserId);

        var response = await PutAsync(alice, key);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        AssertCertificate(await response.Content.ReadFromJsonAsync<JsonObject>(), key);
        var keys = await MyKeysAsync(alice);
        Assert.That(keys, Has.Count.EqualTo(1));
        AssertCertificate(keys[0], key);
    }

    [Test]
    public async Task A_legacy_key_is_listed_with_null_certificate_fields()
    {
        var alice = await UserAsync("alice");
        await alice.RegisterDeviceKeyAsync();
        var key = (await MyKeysAsync(alice))[0]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(key.ContainsKey("signingKey") && key["signingKey"] is null, Is.True, key.ToJsonString());
            Assert.That(key.ContainsKey("identityKey") && key["identityKey"] is null, Is.True);
            Assert.That(key.ContainsKey("signature") && key["signature"] is null, Is.True);
        });
    }

    [Test]
    public async Task A_signature_that_does_not_verify_is_400_invalid_device_signature_and_nothing_is_stored()
    {
        var alice = await UserAsync("alice");
        var key = TestDeviceKey.Generate().CertifiedBy(alice.Identity, alice.UserId);
        var forged = key.CertificateSignature!.ToArray();
        forged[5] ^= 0x40;
        var body = key.RegistrationBody();
        body["signature"] = Base64Url.Encode(forged);

        var problem = await ProblemAsync(await PutAsync(alice, key, body), HttpStatusCode.BadRequest);

        Assert.That(Text(problem, "type"), Is.EqualTo("urn:hoomi:problem:invalid-device-signature"));
        Assert.That(await MyKeysAsync(alice), Is.Empty);
    }

    [Test]
    public async Task A_certificate_signed_for_another_user_id_is_400_invalid_device_signature()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        // A valid certificate, but the signed message names bob: alice cannot register it as hers.
        var key = TestDeviceKey.Generate().CertifiedBy(alice.Identity, bob.UserId);

        var problem = await ProblemAsync(await PutAsync(alice, key), HttpStatusCode.BadRequest);

        Assert.That(Text(problem, "type"), Is.EqualTo("urn:hoomi:problem:invalid-device-signature"));
        Assert.That(await MyKeysAsync(alice), Is.Empty);
    }

    [Test]
    public async Task A_signature_by_another_identity_key_than_the_one_sent_is_400_invalid_device_signature()
    {
        var alice = await UserAsync("alice");
        var key = TestDeviceKey.Generate().CertifiedBy(alice.Identity, alice.UserId);
        var body = key.RegistrationBody();
        body["identityKey"] = TestDeviceKey.Generate().PublicKeyBase64Url;

        var problem = await ProblemAsync(await PutAsync(alice, key, body), HttpStatusCode.BadRequest);
        Assert.That(Text(problem, "type"), Is.EqualTo("urn:hoomi:problem:invalid-device-signature"));
    }

    [TestCase(63)]
    [TestCase(65)]
    public async Task A_signature_that_is_not_64_bytes_is_400_invalid_device_signature(int length)
    {
        var alice = await UserAsync("alice");
        var key = TestDeviceKey.Generate().CertifiedBy(alice.Identity, alice.UserId);
        var body = key.RegistrationBody();
        body["signature"] = Base64Url.Encode(new byte[length]);

        var problem = await ProblemAsync(await PutAsync(alice, key, body), HttpStatusCode.BadRequest);
        Assert.That(Text(problem, "type"), Is.EqualTo("urn:hoomi:problem:invalid-device-signature"));
    }

    [TestCase("signingKey")]
    [TestCase("identityKey")]
    public async Task A_signing_or_identity_key_that_is_not_a_p256_point_is_400_invalid_public_key(string field)
    {
        var alice = await UserAsync("alice");
        var key = TestDeviceKey.Generate().CertifiedBy(alice.Identity, alice.UserId);
        var body = key.RegistrationBody();
        body[field] = Base64Url.Encode([0x04, .. Enumerable.Repeat((byte)1, 64)]);

        var problem = await ProblemAsync(await PutAsync(alice, key, body), HttpStatusCode.BadRequest);
        Assert.That(Text(problem, "type"), Is.EqualTo("urn:hoomi:problem:invalid-public-key"));
        Assert.That(await MyKeysAsync(alice), Is.Empty);
    }

    [TestCase("signingKey")]
    [TestCase("identityKey")]
    [TestCase("signature")]
    public async Task A_certificate_with_one_of_its_three_fields_missing_is_400_on_that_field(string missing)
    {
        var alice = await UserAsync("alice");
        var key = TestDeviceKey.Generate().CertifiedBy(alice.Identity, alice.UserId);
        var body = key.RegistrationBody();
        body.Remove(missing);

        var problem = await ProblemAsync(await PutAsync(alice, key, body), HttpStatusCode.BadRequest);
        Assert.Multiple(() =>
        {
            Assert.That(Text(problem, "type"), Is.EqualTo("urn:hoomi:problem:validation"));
            Assert.That(problem["errors"]![missing], Is.Not.Null, problem.ToJsonString());
        });
        Assert.That(await MyKeysAsync(alice), Is.Empty);
    }

    [Test]
    public async Task A_lone_signature_is_400()
    {
        var alice = await UserAsync("alice");
        var key = TestDeviceKey.Generate();
        var problem = await ProblemAsync(
            await PutAsync(alice, key, new JsonObject { ["publicKey"] = key.PublicKeyBase64Url, ["signature"] = Base64Url.Encode(new byte[64]) }),
            HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!["signingKey"], Is.Not.Null, problem.ToJsonString());
    }

    [Test]
    public async Task Putting_a_legacy_key_again_with_a_certificate_upgrades_it_200_and_a_plain_re_put_keeps_the_certificate()
    {
        var alice = await UserAsync("alice");
        var legacy = await alice.RegisterDeviceKeyAsync();
        var certified = legacy.CertifiedBy(alice.Identity, alice.UserId);

        var upgrade = await PutAsync(alice, certified);
        Assert.That(upgrade.StatusCode, Is.EqualTo(HttpStatusCode.OK), await upgrade.Content.ReadAsStringAsync());
        AssertCertificate(await upgrade.Content.ReadFromJsonAsync<JsonObject>(), certified);

        var plain = await PutAsync(alice, legacy);
        Assert.That(plain.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var keys = await MyKeysAsync(alice);
        Assert.That(keys, Has.Count.EqualTo(1));
        AssertCertificate(keys[0], certified);
    }

    [Test]
    public async Task A_new_certificate_for_the_same_key_replaces_the_old_one_and_a_bad_one_leaves_it()
    {
        var alice = await UserAsync("alice");
        var first = await alice.RegisterCertifiedDeviceKeyAsync();
        var second = first.CertifiedBy(alice.Identity, alice.UserId);

        Assert.That((await PutAsync(alice, second)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        AssertCertificate((await MyKeysAsync(alice))[0], second);

        var bad = first.CertifiedBy(alice.Identity, Guid.NewGuid());
        await ProblemAsync(await PutAsync(alice, bad), HttpStatusCode.BadRequest);
        AssertCertificate((await MyKeysAsync(alice))[0], second);
    }

    [Test]
    public async Task The_member_list_shows_each_keys_certificate_and_nulls_for_legacy_keys()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var aliceKey = await alice.RegisterCertifiedDeviceKeyAsync();
        var bobKey = await bob.RegisterDeviceKeyAsync();
        var hoomi = await alice.CreateHoomiAsync();
        await alice.AddMemberAsync(hoomi, bob);

        var members = (await bob.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{hoomi}/members"))!["items"]!.AsArray();
        var aliceKeys = members.Single(m => Text(m, "userId") == alice.UserId.ToString())!["keys"]!.AsArray();
        var bobKeys = members.Single(m => Text(m, "userId") == bob.UserId.ToString())!["keys"]!.AsArray();
        AssertCertificate(aliceKeys.Single(), aliceKey);
        Assert.Multiple(() =>
        {
            Assert.That(Text(bobKeys.Single(), "keyId"), Is.EqualTo(bobKey.KeyId));
            Assert.That(bobKeys.Single()!.AsObject().ContainsKey("signature"), Is.True);
            Assert.That(Text(bobKeys.Single(), "signingKey"), Is.Null);
            Assert.That(Text(bobKeys.Single(), "identityKey"), Is.Null);
            Assert.That(Text(bobKeys.Single(), "signature"), Is.Null);
        });
    }
}
