using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;

namespace Hoomi.Api.Tests.Keys;

public sealed class DeviceKeyEndpointsTests
{
    private HoomiApiFactory _factory = null!;

    [OneTimeSetUp]
    public void StartApi() => _factory = HoomiApiFactory.OnPostgres();

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    private Task<ApiClient> UserAsync(string name) => ApiClient.RegisterAsync(_factory.CreateClient(), name);

    private static Task<HttpResponseMessage> PutKeyAsync(ApiClient who, string keyId, string? publicKey) =>
        who.Http.PutAsJsonAsync($"/me/keys/{keyId}", new { publicKey });

    private static async Task<JsonArray> MyKeysAsync(ApiClient who) =>
        (await who.Http.GetFromJsonAsync<JsonObject>("/me/keys"))!["items"]!.AsArray();

    private static async Task<JsonObject> BadRequestProblemAsync(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        return await ApiClient.ProblemOf(response);
    }

    [Test]
    public async Task Registering_a_key_returns_201_with_its_id_public_key_and_creation_time()
    {
        var alice = await UserAsync("alice");
        var key = TestDeviceKey.Generate();

        var response = await PutKeyAsync(alice, key.KeyId, key.PublicKeyBase64Url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/me/keys/{key.KeyId}"));
            Assert.That(body["keyId"]!.GetValue<string>(), Is.EqualTo(key.KeyId));
            Assert.That(body["publicKey"]!.GetValue<string>(), Is.EqualTo(key.PublicKeyBase64Url));
            Assert.That(body["createdAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
            Assert.That(body["revokedAt"]?.GetValue<DateTimeOffset?>(), Is.Null);
        });
    }

    [Test]
    public async Task Putting_the_same_key_twice_is_idempotent_201_then_200_and_one_key_is_listed()
    {
        var alice = await UserAsync("alice");
        var key = TestDeviceKey.Generate();

        var first = await PutKeyAsync(alice, key.KeyId, key.PublicKeyBase64Url);
        var second = await PutKeyAsync(alice, key.KeyId, key.PublicKeyBase64Url);
        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
        var firstBody = (await first.Content.ReadFromJsonAsync<JsonObject>())!;
        var secondBody = (await second.Content.ReadFromJsonAsync<JsonObject>())!;
        // PostgreSQL keeps microseconds, the first answer echoes the clock's 100 ns ticks.
        Assert.That(secondBody["createdAt"]!.GetValue<DateTimeOffset>(),
            Is.EqualTo(firstBody["createdAt"]!.GetValue<DateTimeOffset>()).Within(TimeSpan.FromMilliseconds(1)));
        Assert.That(await MyKeysAsync(alice), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task My_keys_lists_every_device_key_revoked_ones_with_their_revocation_time()
    {
        var alice = await UserAsync("alice");
        var phone = await alice.RegisterDeviceKeyAsync();
        var laptop = await alice.RegisterDeviceKeyAsync();

        var revoke = await alice.Http.DeleteAsync($"/me/keys/{phone.KeyId}");
        Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        var keys = await MyKeysAsync(alice);
        Assert.That(keys.Select(k => k!["keyId"]!.GetValue<string>()), Is.EqualTo(new[] { phone.KeyId, laptop.KeyId }), "oldest first");
        Assert.Multiple(() =>
        {
            Assert.That(keys[0]!["revokedAt"]?.GetValue<DateTimeOffset?>(), Is.Not.Null);
            Assert.That(keys[1]!["revokedAt"]?.GetValue<DateTimeOffset?>(), Is.Null);
        });
    }

    [Test]
    public async Task Another_users_keys_are_not_in_my_list()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        await bob.RegisterDeviceKeyAsync();

        Assert.That(await MyKeysAsync(alice), Is.Empty);
    }

    [Test]
    public async Task Revoking_twice_is_harmless_and_keeps_the_first_revocation_time()
    {
        var alice = await UserAsync("alice");
        var key = await alice.RegisterDeviceKeyAsync();

        var first = await alice.Http.DeleteAsync($"/me/keys/{key.KeyId}");
        var revokedAt = (await MyKeysAsync(alice))[0]!["revokedAt"]!.GetValue<DateTimeOffset>();
        var second = await alice.Http.DeleteAsync($"/me/keys/{key.KeyId}");
        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        });
        Assert.That((await MyKeysAsync(alice))[0]!["revokedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(revokedAt));
    }

    [Test]
    public async Task Revoking_an_unknown_key_or_another_users_key_is_a_404_and_leaves_it_active()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var bobKey = await bob.RegisterDeviceKeyAsync();

        var unknown = await alice.Http.DeleteAsync($"/me/keys/{TestDeviceKey.Generate().KeyId}");
        var foreign = await alice.Http.DeleteAsync($"/me/keys/{bobKey.KeyId}");
        Assert.Multiple(() =>
        {
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(foreign.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
        await ApiClient.ProblemOf(foreign);
        Assert.That((await MyKeysAsync(bob))[0]!["revokedAt"]?.GetValue<DateTimeOffset?>(), Is.Null);
    }

    [Test]
    public async Task Registering_a_key_id_already_registered_by_another_user_is_a_409()
    {
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var key = await alice.RegisterDeviceKeyAsync();

        var response = await PutKeyAsync(bob, key.KeyId, key.PublicKeyBase64Url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await ApiClient.ProblemOf(response))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:key-in-use"));
        Assert.That(await MyKeysAsync(bob), Is.Empty);
    }

    [Test]
    public async Task Re_registering_a_revoked_key_is_a_409_and_it_stays_revoked()
    {
        var alice = await UserAsync("alice");
        var key = await alice.RegisterDeviceKeyAsync();
        Assert.That((await alice.Http.DeleteAsync($"/me/keys/{key.KeyId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        var response = await PutKeyAsync(alice, key.KeyId, key.PublicKeyBase64Url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await ApiClient.ProblemOf(response))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:key-revoked"));
        Assert.That((await MyKeysAsync(alice))[0]!["revokedAt"]?.GetValue<DateTimeOffset?>(), Is.Not.Null);
    }

    [Test]
    public async Task A_key_id_that_is_not_the_fingerprint_of_the_key_is_a_400_on_key_id()
    {
        var alice = await UserAsync("alice");
        var key = TestDeviceKey.Generate();
        var other = TestDeviceKey.Generate();

        var problem = await BadRequestProblemAsync(await PutKeyAsync(alice, other.KeyId, key.PublicKeyBase64Url));
        Assert.That(problem["errors"]!["keyId"], Is.Not.Null);
        Assert.That(await MyKeysAsync(alice), Is.Empty);
    }

    [TestCase("short")]
    [TestCase("AAAA")]
    public async Task A_key_id_that_is_not_43_base64url_characters_is_a_400_on_key_id(string keyId)
    {
        var alice = await UserAsync("alice");
        var key = TestDeviceKey.Generate();

        var problem = await BadRequestProblemAsync(await PutKeyAsync(alice, keyId, key.PublicKeyBase64Url));
        Assert.That(problem["errors"]!["keyId"], Is.Not.Null);
    }

    [Test]
    public async Task A_huge_key_id_in_the_path_is_a_4xx_not_a_5xx()
    {
        var alice = await UserAsync("alice");
        var key = TestDeviceKey.Generate();

        var response = await PutKeyAsync(alice, new string('A', 5_000), key.PublicKeyBase64Url);
        Assert.That((int)response.StatusCode, Is.InRange(400, 499), await response.Content.ReadAsStringAsync());
    }

    public static IEnumerable<TestCaseData> InvalidPublicKeys()
    {
        var good = TestDeviceKey.Generate();
        yield return new TestCaseData(good.PublicKeyBase64Url + "=").SetName("A_padded_key_with_equals_signs_is_refused");
        yield return new TestCaseData(StandardBase64WithPlusOrSlash()).SetName("Standard_base64_with_plus_or_slash_is_refused");
        yield return new TestCaseData(Base64Url.Encode(good.PublicKey.AsSpan(0, 64))).SetName("A_64_byte_key_is_refused");
        yield return new TestCaseData(Base64Url.Encode([.. good.PublicKey, 0x00])).SetName("A_66_byte_key_is_refused");
        yield return new TestCaseData(Base64Url.Encode([0x04, .. Enumerable.Repeat((byte)0x01, 64)])).SetName("A_point_not_on_the_curve_is_refused");
        yield return new TestCaseData(Base64Url.Encode([0x04, .. new byte[64]])).SetName("The_all_zero_point_is_refused");
        byte[] compressed = [(byte)(0x02 | (good.PublicKey[64] & 1)), .. good.PublicKey[1..33]];
        yield return new TestCaseData(Base64Url.Encode(compressed)).SetName("A_compressed_point_is_refused");
        yield return new TestCaseData(Base64Url.Encode([0x02, .. good.PublicKey[1..]])).SetName("A_65_byte_key_with_a_0x02_prefix_is_refused");
        yield return new TestCaseData("").SetName("An_empty_key_is_refused");
        yield return new TestCaseData("   ").SetName("A_blank_key_is_refused");
        yield return new TestCaseData("not base64 at all!").SetName("Text_that_is_not_base64url_is_refused");
        yield return new TestCaseData(new string('A', 200_000)).SetName("A_huge_key_string_is_refused");
        yield return new TestCaseData(NonCanonical(good.PublicKeyBase64Url)).SetName("A_non_canonical_encoding_is_refused");
    }

    [TestCaseSource(nameof(InvalidPublicKeys))]
    public async Task An_invalid_public_key_is_a_400_on_public_key_never_a_5xx(string publicKey)
    {
        var alice = await UserAsync("alice");
        // The key id is computed from whatever bytes the text decodes to, so only the key itself is at fault.
        var keyId = System.Buffers.Text.Base64Url.IsValid(publicKey)
            ? P256PublicKey.KeyIdOf(System.Buffers.Text.Base64Url.DecodeFromChars(publicKey))
            : TestDeviceKey.Generate().KeyId;

        var problem = await BadRequestProblemAsync(await PutKeyAsync(alice, keyId, publicKey));
        Assert.That(problem["errors"]!["publicKey"], Is.Not.Null);
        Assert.That(await MyKeysAsync(alice), Is.Empty);
    }

    [TestCase("{}")]
    [TestCase("{\"publicKey\":null}")]
    public async Task A_missing_public_key_is_a_400_on_public_key(string body)
    {
        var alice = await UserAsync("alice");
        var response = await alice.Http.PutAsync($"/me/keys/{TestDeviceKey.Generate().KeyId}", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.That((await BadRequestProblemAsync(response))["errors"]!["publicKey"], Is.Not.Null);
    }

    [TestCase("{\"publicKey\":")]
    [TestCase("{\"publicKey\":12345}")]
    [TestCase("{\"publicKey\":{\"x\":1}}")]
    [TestCase("garbage")]
    public async Task Malformed_json_or_wrong_types_are_a_400_problem(string body)
    {
        var alice = await UserAsync("alice");
        var response = await alice.Http.PutAsync($"/me/keys/{TestDeviceKey.Generate().KeyId}", new StringContent(body, Encoding.UTF8, "application/json"));
        await BadRequestProblemAsync(response);
    }

    [Test]
    public async Task Requests_without_a_token_get_401()
    {
        var anonymous = _factory.CreateClient();
        var key = TestDeviceKey.Generate();
        Assert.Multiple(async () =>
        {
            Assert.That((await anonymous.GetAsync("/me/keys")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await anonymous.PutAsJsonAsync($"/me/keys/{key.KeyId}", new { publicKey = key.PublicKeyBase64Url })).StatusCode,
                Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await anonymous.DeleteAsync($"/me/keys/{key.KeyId}")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    private static string StandardBase64WithPlusOrSlash()
    {
        while (true)
        {
            var text = Convert.ToBase64String(TestDeviceKey.Generate().PublicKey).TrimEnd('=');
            if (text.Contains('+', StringComparison.Ordinal) || text.Contains('/', StringComparison.Ordinal))
            {
                return text;
            }
        }
    }

    // 65 bytes take 87 characters whose last one carries 2 spare bits; setting one decodes to the same bytes.
    private static string NonCanonical(string encoded)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return encoded[..^1] + alphabet[alphabet.IndexOf(encoded[^1], StringComparison.Ordinal) + 1];
    }
}
