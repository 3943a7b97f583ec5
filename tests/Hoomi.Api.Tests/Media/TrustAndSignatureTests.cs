using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Domain.Common;

namespace Hoomi.Api.Tests.Media;

/// <summary>
/// hoomi-e2ee-2 on the media routes: signed uploads, forwards and shares are stored and handed back with
/// what a reader needs to check them (content header, sender device, upload wraps, signer devices);
/// a member removes a wrap made for their own device; stream version 2 passes the server's checks.
/// </summary>
public sealed class TrustAndSignatureTests
{
    private HoomiApiFactory _factory = null!;

    [OneTimeSetUp]
    public void StartApi() => _factory = HoomiApiFactory.OnPostgres();

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    private static string? Text(JsonNode? node, string name) => node?[name]?.GetValue<string>();

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.That(response.StatusCode, Is.EqualTo(status), await response.Content.ReadAsStringAsync());
        return await ApiClient.ProblemOf(response);
    }

    private static Task<HttpResponseMessage> PostUploadAsync(MediaScene scene, ApiClient who, MediaUpload upload) =>
        who.Http.PostAsync($"/hoomis/{scene.HoomiId}/media", upload.ToContent());

    private static async Task<JsonObject> InfoAsync(ApiClient who, Guid mediaId) =>
        (await who.Http.GetFromJsonAsync<JsonObject>($"/media/{mediaId}/info"))!;

    private static void AssertDevice(JsonNode? device, ApiClient owner, TestDeviceKey key)
    {
        Assert.That(device, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(Text(device, "userId"), Is.EqualTo(owner.UserId.ToString()));
            Assert.That(Text(device, "keyId"), Is.EqualTo(key.KeyId));
            Assert.That(Text(device, "publicKey"), Is.EqualTo(key.PublicKeyBase64Url));
            Assert.That(Text(device, "signingKey"), Is.EqualTo(Base64Url.Encode(key.SigningKey!)));
            Assert.That(Text(device, "identityKey"), Is.EqualTo(Base64Url.Encode(key.IdentityKey!)));
            Assert.That(Text(device, "signature"), Is.EqualTo(Base64Url.Encode(key.CertificateSignature!)));
        });
    }

    private static void AssertSignedUpload(JsonObject dto, MediaUpload upload, MediaScene scene, int headerLength)
    {
        var sent = upload.Metadata();
        var expectedWraps = upload.Wraps().Select(w => w!.AsObject())
            .OrderBy(w => Text(w, "recipientKeyId"), StringComparer.Ordinal)
            .Select(w => (Text(w, "recipientKeyId"), Text(w, "enc"), Text(w, "wrappedKey")))
            .ToList();
        var uploadWraps = dto["uploadWraps"]!.AsArray()
            .Select(w => (Text(w, "recipientKeyId"), Text(w, "enc"), Text(w, "wrappedKey")))
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(Text(dto, "header"), Is.EqualTo(Base64Url.Encode(upload.Ciphertext.AsSpan(0, headerLength))));
            Assert.That(Text(dto, "senderKeyId"), Is.EqualTo(upload.Sender!.KeyId));
            Assert.That(Text(dto, "signature"), Is.EqualTo(Text(sent, "signature")));
            Assert.That(uploadWraps, Is.EqualTo(expectedWraps), "every upload wrap, by recipient key id (ordinal)");
        });
        AssertDevice(dto["senderDevice"], scene.Alice, scene.AliceKey);
    }

    [Test]
    public async Task A_signed_upload_is_stored_and_returned_with_header_sender_device_and_upload_wraps_on_every_read()
    {
        var scene = await MediaScene.CreateAsync(_factory);
        var upload = scene.NewUpload();
        upload.Sender = scene.AliceKey;
        upload.Thumbnail = MediaUpload.FakeCiphertext(500);

        var created = await scene.UploadAsync(scene.Alice, upload);
        AssertSignedUpload(created, upload, scene, 72);
        Assert.Multiple(() =>
        {
            Assert.That(created["thumbnailSize"]!.GetValue<long>(), Is.EqualTo(upload.Thumbnail.LongLength));
            Assert.That(Text(created, "thumbnailSha256"), Is.EqualTo(MediaUpload.Sha256Hex(upload.Thumbnail)));
            Assert.That(created["wrappedKeys"]!.AsArray().Select(k => Text(k, "recipientKeyId")), Is.EqualTo(new[] { scene.AliceKey.KeyId }));
            Assert.That(Text(created["wrappedKeys"]![0], "signerKeyId"), Is.Null, "an upload wrap has no signer");
            Assert.That(Text(created["wrappedKeys"]![0], "signature"), Is.Null);
            Assert.That(created["wrappedKeys"]![0]!["signerDevice"], Is.Null);
        });

        var info = await InfoAsync(scene.Bob, upload.MediaId);
        AssertSignedUpload(info, upload, scene, 72);
        Assert.That(info["wrappedKeys"]!.AsArray().Select(k => Text(k, "recipientKeyId")), Is.EqualTo(new[] { scene.BobKey.KeyId }));

        var listed = (await scene.Bob.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{scene.HoomiId}/media"))!["items"]!.AsArray()
            .Single(i => Text(i, "id") == upload.MediaId.ToString())!.AsObject();
        AssertSignedUpload(listed, upload, scene, 72);
        Assert.That(listed["thumbnailSize"]!.GetValue<long>(), Is.EqualTo(upload.Thumbnail.LongLength));
    }

    [Test]
    public async Task An_unsigned_upload_has_a_header_but_null_signature_fields_and_no_thumbnail_fields_without_thumbnail()
    {
        var scene = await MediaScene.CreateAsync(_factory);
        var upload = scene.NewUpload();
        var created = await scene.UploadAsync(scene.Alice, upload);
        Assert.Multiple(() =>
        {
            Assert.That(Text(created, "header"), Is.EqualTo(Base64Url.Encode(upload.Ciphertext.AsSpan(0, 72))));
            Assert.That(Text(created, "senderKeyId"), Is.Null);
            Assert.That(Text(created, "signature"), Is.Null);
            Assert.That(created["senderDevice"], Is.Null);
            Assert.That(created["thumbnailSize"], Is.Null);
            Assert.That(created["thumbnailSha256"], Is.Null);
            Assert.That(created["uploadWraps"]!.AsArray(), Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task A_sender_key_that_is_not_an_active_certified_key_of_the_caller_is_refused_400_and_nothing_is_stored()
    {
        var scene = await MediaScene.CreateAsync(_factory);
        var legacy = await scene.Alice.RegisterDeviceKeyAsync();
        var revoked = await scene.Alice.RegisterCertifiedDeviceKeyAsync();
        Assert.That((await scene.Alice.Http.DeleteAsync($"/me/keys/{revoked.KeyId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        foreach (var (sender, why) in new[]
        {
            (scene.BobKey, "another member's key"),
            (legacy.CertifiedBy(scene.Alice.Identity, scene.Alice.UserId), "a key of the caller without a certificate on the server"),
            (revoked, "a revoked key"),
            (TestDeviceKey.Generate().CertifiedBy(scene.Alice.Identity, scene.Alice.UserId), "an unknown key"),
        })
        {
            var upload = MediaUpload.For(scene.AliceKey, scene.BobKey, legacy);
            upload.Sender = sender;
            var problem = await ProblemAsync(await PostUploadAsync(scene, scene.Alice, upload), HttpStatusCode.BadRequest);
            Assert.That(problem["errors"]!["senderKeyId"], Is.Not.Null, why + ": " + problem.ToJsonString());
            Assert.That((await scene.Alice.Http.GetAsync($"/media/{upload.MediaId}/info")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), why);
        }
    }

    [Test]
    public async Task A_signature_without_sender_key_or_of_the_wrong_length_is_refused_400()
    {
        var scene = await MediaScene.CreateAsync(_factory);
        var lone = scene.NewUpload();
        lone.EditMetadata = m => m["signature"] = Base64Url.Encode(new byte[64]);
        var problem = await ProblemAsync(await PostUploadAsync(scene, scene.Alice, lone), HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!["senderKeyId"], Is.Not.Null, problem.ToJsonString());

        var shortSignature = scene.NewUpload();
        shortSignature.Sender = scene.AliceKey;
        shortSignature.EditMetadata = m => m["signature"] = Base64Url.Encode(new byte[63]);
        problem = await ProblemAsync(await PostUploadAsync(scene, scene.Alice, shortSignature), HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!["signature"], Is.Not.Null, problem.ToJsonString());
    }

    /// <summary>A scene whose upload predates carol: bob shares the file key to carol's device later.</summary>
    private async Task<(MediaScene Scene, MediaUpload Upload, ApiClient Carol, TestDeviceKey CarolKey)> LateMemberAsync()
    {
        var scene = await MediaScene.CreateAsync(_factory);
        var upload = scene.NewUpload();
        upload.Sender = scene.AliceKey;
        await scene.UploadAsync(scene.Alice, upload);
        var carol = await ApiClient.RegisterAsync(_factory.CreateClient(), "carol");
        var carolKey = await carol.RegisterCertifiedDeviceKeyAsync();
        await scene.Alice.AddMemberAsync(scene.HoomiId, carol);
        return (scene, upload, carol, carolKey);
    }

    private static Task<HttpResponseMessage> ShareAsync(ApiClient who, Guid mediaId, JsonObject body) =>
        who.Http.PostAsJsonAsync($"/media/{mediaId}/keys", body);

    [Test]
    public async Task A_share_without_signer_or_signature_is_refused_400()
    {
        var (scene, upload, carol, carolKey) = await LateMemberAsync();
        var unsigned = MediaUpload.ShareBody(null, carolKey);
        var problem = await ProblemAsync(await ShareAsync(scene.Bob, upload.MediaId, unsigned), HttpStatusCode.BadRequest);
        Assert.That(problem.ToJsonString(), Does.Contain("signerKeyId").And.Contain("signature"));

        var noSignature = MediaUpload.ShareBody(scene.BobKey, carolKey);
        noSignature["wrappedKeys"]![0]!.AsObject().Remove("signature");
        await ProblemAsync(await ShareAsync(scene.Bob, upload.MediaId, noSignature), HttpStatusCode.BadRequest);

        Assert.That((await InfoAsync(carol, upload.MediaId))["wrappedKeys"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task A_share_signed_with_a_key_that_is_not_the_callers_certified_key_is_refused_400()
    {
        var (scene, upload, carol, carolKey) = await LateMemberAsync();
        var legacy = await scene.Bob.RegisterDeviceKeyAsync();

        foreach (var signer in new[] { scene.AliceKey, legacy.CertifiedBy(scene.Bob.Identity, scene.Bob.UserId) })
        {
            var problem = await ProblemAsync(await ShareAsync(scene.Bob, upload.MediaId, MediaUpload.ShareBody(signer, carolKey)), HttpStatusCode.BadRequest);
            Assert.That(problem["errors"]!["signerKeyId"], Is.Not.Null, problem.ToJsonString());
        }

        Assert.That((await InfoAsync(carol, upload.MediaId))["wrappedKeys"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task A_signed_share_is_stored_and_returned_to_its_recipient_with_signer_key_signature_and_signer_device()
    {
        var (scene, upload, carol, carolKey) = await LateMemberAsync();
        var share = MediaUpload.ShareBody(scene.BobKey, carolKey);

        var response = await ShareAsync(scene.Bob, upload.MediaId, share);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());

        var sent = share["wrappedKeys"]![0]!;
        var info = await InfoAsync(carol, upload.MediaId);
        var own = info["wrappedKeys"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(Text(own, "recipientKeyId"), Is.EqualTo(carolKey.KeyId));
            Assert.That(Text(own, "enc"), Is.EqualTo(Text(sent, "enc")));
            Assert.That(Text(own, "wrappedKey"), Is.EqualTo(Text(sent, "wrappedKey")));
            Assert.That(Text(own, "signerKeyId"), Is.EqualTo(scene.BobKey.KeyId));
            Assert.That(Text(own, "signature"), Is.EqualTo(Text(sent, "signature")));
            Assert.That(info["uploadWraps"]!.AsArray().Select(w => Text(w, "recipientKeyId")), Does.Not.Contain(carolKey.KeyId),
                "a shared wrap is not one of the upload's wraps");
        });
        AssertDevice(own["signerDevice"], scene.Bob, scene.BobKey);

        var keys = (await carol.Http.GetFromJsonAsync<JsonObject>($"/media/{upload.MediaId}/keys"))!;
        Assert.That(Text(keys["wrappedKeys"]![0], "signerKeyId"), Is.EqualTo(scene.BobKey.KeyId));

        var listed = (await carol.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{scene.HoomiId}/media"))!["items"]!.AsArray()
            .Single(i => Text(i, "id") == upload.MediaId.ToString())!;
        AssertDevice(listed["wrappedKeys"]![0]!["signerDevice"], scene.Bob, scene.BobKey);
        AssertDevice(listed["senderDevice"], scene.Alice, scene.AliceKey);
    }

    [Test]
    public async Task The_sender_device_is_still_shown_after_the_key_is_revoked()
    {
        var scene = await MediaScene.CreateAsync(_factory);
        var upload = scene.NewUpload();
        upload.Sender = scene.AliceKey;
        await scene.UploadAsync(scene.Alice, upload);
        Assert.That((await scene.Alice.Http.DeleteAsync($"/me/keys/{scene.AliceKey.KeyId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        AssertDevice((await InfoAsync(scene.Bob, upload.MediaId))["senderDevice"], scene.Alice, scene.AliceKey);
    }

    [Test]
    public async Task The_owner_of_a_device_key_deletes_the_wrap_made_for_it_204_and_a_share_fills_it_again()
    {
        var (scene, upload, carol, carolKey) = await LateMemberAsync();
        var planted = await ShareAsync(scene.Bob, upload.MediaId, MediaUpload.ShareBody(scene.BobKey, carolKey));
        Assert.That(planted.StatusCode, Is.EqualTo(HttpStatusCode.OK), await planted.Content.ReadAsStringAsync());

        var delete = await carol.Http.DeleteAsync($"/media/{upload.MediaId}/keys/{carolKey.KeyId}");
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await delete.Content.ReadAsStringAsync());
        Assert.That((await InfoAsync(carol, upload.MediaId))["wrappedKeys"]!.AsArray(), Is.Empty);
        var keys = (await scene.Alice.Http.GetFromJsonAsync<JsonObject>($"/media/{upload.MediaId}/keys"))!;
        Assert.That(keys["missingRecipientKeyIds"]!.AsArray().Select(k => k!.GetValue<string>()), Is.EqualTo(new[] { carolKey.KeyId }));

        var again = await carol.Http.DeleteAsync($"/media/{upload.MediaId}/keys/{carolKey.KeyId}");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "no such wrap any more");
        await ApiClient.ProblemOf(again);

        var refill = MediaUpload.ShareBody(scene.AliceKey, carolKey);
        var refilled = await ShareAsync(scene.Alice, upload.MediaId, refill);
        Assert.That(refilled.StatusCode, Is.EqualTo(HttpStatusCode.OK), await refilled.Content.ReadAsStringAsync());
        var own = (await InfoAsync(carol, upload.MediaId))["wrappedKeys"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(Text(own, "wrappedKey"), Is.EqualTo(Text(refill["wrappedKeys"]![0], "wrappedKey")));
            Assert.That(Text(own, "signerKeyId"), Is.EqualTo(scene.AliceKey.KeyId));
        });
    }

    [Test]
    public async Task Deleting_a_wrap_made_for_someone_elses_key_is_404_and_the_wrap_stays()
    {
        var scene = await MediaScene.CreateAsync(_factory);
        var upload = scene.NewUpload();
        await scene.UploadAsync(scene.Alice, upload);

        var response = await scene.Alice.Http.DeleteAsync($"/media/{upload.MediaId}/keys/{scene.BobKey.KeyId}");
        var problem = await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.That(Text(problem, "type"), Is.EqualTo("urn:hoomi:problem:not-found"));
        Assert.That((await InfoAsync(scene.Bob, upload.MediaId))["wrappedKeys"]!.AsArray(), Has.Count.EqualTo(1));

        var outsider = await scene.Mallory.Http.DeleteAsync($"/media/{upload.MediaId}/keys/{scene.BobKey.KeyId}");
        Assert.That(outsider.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "a non-member");
        var unknownMedia = await scene.Bob.Http.DeleteAsync($"/media/{Guid.CreateVersion7()}/keys/{scene.BobKey.KeyId}");
        Assert.That(unknownMedia.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var anonymous = await _factory.CreateClient().DeleteAsync($"/media/{upload.MediaId}/keys/{scene.BobKey.KeyId}");
        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_member_deletes_their_own_upload_wrap_and_it_leaves_the_upload_wraps()
    {
        var scene = await MediaScene.CreateAsync(_factory);
        var upload = scene.NewUpload();
        await scene.UploadAsync(scene.Alice, upload);

        Assert.That((await scene.Bob.Http.DeleteAsync($"/media/{upload.MediaId}/keys/{scene.BobKey.KeyId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var info = await InfoAsync(scene.Bob, upload.MediaId);
        Assert.Multiple(() =>
        {
            Assert.That(info["wrappedKeys"]!.AsArray(), Is.Empty);
            Assert.That(info["uploadWraps"]!.AsArray().Select(w => Text(w, "recipientKeyId")), Is.EqualTo(new[] { scene.AliceKey.KeyId }));
        });
    }

    [TestCase(0L, (byte)0x00)]
    [TestCase(1L, (byte)0x02)]
    [TestCase(65536L, (byte)0x03)]
    [TestCase(200_001L, (byte)0x01)]
    public async Task A_version_2_stream_is_accepted_and_its_96_byte_header_returned(long paddedLength, byte flags)
    {
        var scene = await MediaScene.CreateAsync(_factory);
        var upload = scene.NewUpload();
        upload.Sender = scene.AliceKey;
        upload.Ciphertext = MediaUpload.FakeCiphertextV2(paddedLength, flags);
        upload.Thumbnail = MediaUpload.FakeCiphertextV2(3000);

        var created = await scene.UploadAsync(scene.Alice, upload);
        AssertSignedUpload(created, upload, scene, 96);
        Assert.That(await scene.Bob.Http.GetByteArrayAsync($"/media/{upload.MediaId}"), Is.EqualTo(upload.Ciphertext));
        Assert.That(await scene.Bob.Http.GetByteArrayAsync($"/media/{upload.MediaId}/thumbnail"), Is.EqualTo(upload.Thumbnail));
    }

    public static IEnumerable<TestCaseData> BadVersion2Streams()
    {
        // 100 bytes: enough for a version-1 header and a tag, not for a version-2 header (96) and a tag.
        yield return new TestCaseData(MediaUpload.FakeCiphertextV2(0)[..100], "file").SetName("A_version_2_stream_shorter_than_112_bytes_is_refused_400");
        // 96 + (S + 16) + 16 with S = 2^12: a full segment and an empty last one after a 96-byte header (no
        // plaintext length gives that), though a full segment and one of 24 bytes after a 72-byte header.
        var emptyLast = MediaUpload.FakeCiphertextV2(4112, log2SegmentSize: 12)[..(96 + 4096 + 16 + 16)];
        yield return new TestCaseData(emptyLast, "file").SetName("A_version_2_stream_of_a_length_only_the_version_1_rule_explains_is_refused_400");
        var badFlags = MediaUpload.FakeCiphertextV2(1000, flags: 0x04);
        yield return new TestCaseData(badFlags, "file").SetName("A_version_2_stream_with_flag_0x04_is_refused_400");
        var v1Padded = MediaUpload.FakeCiphertext(1000);
        v1Padded[5] = 0x02;
        yield return new TestCaseData(v1Padded, "file").SetName("A_version_1_stream_with_the_padded_flag_is_refused_400");
        var v3 = MediaUpload.FakeCiphertextV2(1000);
        v3[4] = 3;
        yield return new TestCaseData(v3, "file").SetName("A_version_3_stream_is_refused_400");
    }

    [TestCaseSource(nameof(BadVersion2Streams))]
    public async Task A_bad_stream_is_refused_and_nothing_is_stored(byte[] ciphertext, string part)
    {
        var scene = await MediaScene.CreateAsync(_factory);
        var upload = scene.NewUpload();
        upload.Ciphertext = ciphertext;

        var problem = await ProblemAsync(await PostUploadAsync(scene, scene.Alice, upload), HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]![part], Is.Not.Null, problem.ToJsonString());
        Assert.That((await scene.Alice.Http.GetAsync($"/media/{upload.MediaId}/info")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_version_2_thumbnail_with_a_bad_length_is_refused_400()
    {
        var scene = await MediaScene.CreateAsync(_factory);
        var upload = scene.NewUpload();
        upload.Thumbnail = MediaUpload.FakeCiphertextV2(0)[..100]; // 100 bytes: no room for a 96-byte header and a tag
        var problem = await ProblemAsync(await PostUploadAsync(scene, scene.Alice, upload), HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!["thumbnail"], Is.Not.Null, problem.ToJsonString());
    }

    private async Task<(MediaScene Scene, Guid Target, TestDeviceKey CarolKey)> ForwardTargetAsync()
    {
        var scene = await MediaScene.CreateAsync(_factory);
        var target = await scene.Alice.CreateHoomiAsync("Elsewhere");
        var carol = await ApiClient.RegisterAsync(_factory.CreateClient(), "carol");
        var carolKey = await carol.RegisterCertifiedDeviceKeyAsync();
        await scene.Alice.AddMemberAsync(target, carol);
        return (scene, target, carolKey);
    }

    [Test]
    public async Task A_signed_forward_keeps_the_sources_header_and_names_the_forwarder_as_sender()
    {
        var (scene, target, carolKey) = await ForwardTargetAsync();
        var source = scene.NewUpload();
        source.Sender = scene.BobKey;
        source.Ciphertext = MediaUpload.FakeCiphertextV2(5000);
        await scene.UploadAsync(scene.Bob, source);
        var wraps = MediaUpload.WrapsFor([scene.AliceKey.KeyId, carolKey.KeyId]);
        var signature = Base64Url.Encode(scene.AliceKey.Sign([1, 2, 3]));

        var response = await scene.Alice.Http.PostAsJsonAsync($"/media/{source.MediaId}/forward", new JsonObject
        {
            ["targetHoomiId"] = target.ToString(),
            ["mediaId"] = Guid.CreateVersion7().ToString(),
            ["wrappedKeys"] = wraps.DeepClone(),
            ["senderKeyId"] = scene.AliceKey.KeyId,
            ["signature"] = signature,
        });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var forwarded = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Multiple(() =>
        {
            Assert.That(Text(forwarded, "header"), Is.EqualTo(Base64Url.Encode(source.Ciphertext.AsSpan(0, 96))));
            Assert.That(Text(forwarded, "senderKeyId"), Is.EqualTo(scene.AliceKey.KeyId));
            Assert.That(Text(forwarded, "signature"), Is.EqualTo(signature));
            Assert.That(forwarded["uploadWraps"]!.AsArray().Select(w => Text(w, "recipientKeyId")),
                Is.EqualTo(new[] { scene.AliceKey.KeyId, carolKey.KeyId }.Order(StringComparer.Ordinal)));
        });
        AssertDevice(forwarded["senderDevice"], scene.Alice, scene.AliceKey);
    }

    [Test]
    public async Task A_forward_signed_with_another_users_key_or_with_half_a_signature_is_refused_400()
    {
        var (scene, target, carolKey) = await ForwardTargetAsync();
        var source = scene.NewUpload();
        await scene.UploadAsync(scene.Bob, source);

        async Task<JsonObject> Refused(Action<JsonObject> edit, string field)
        {
            var body = new JsonObject
            {
                ["targetHoomiId"] = target.ToString(),
                ["mediaId"] = Guid.CreateVersion7().ToString(),
                ["wrappedKeys"] = MediaUpload.WrapsFor([scene.AliceKey.KeyId, carolKey.KeyId]),
            };
            edit(body);
            var problem = await ProblemAsync(await scene.Alice.Http.PostAsJsonAsync($"/media/{source.MediaId}/forward", body), HttpStatusCode.BadRequest);
            Assert.That(problem["errors"]![field], Is.Not.Null, problem.ToJsonString());
            return problem;
        }

        await Refused(b => { b["senderKeyId"] = scene.BobKey.KeyId; b["signature"] = Base64Url.Encode(new byte[64]); }, "senderKeyId");
        await Refused(b => b["senderKeyId"] = scene.AliceKey.KeyId, "signature");
        await Refused(b => b["signature"] = Base64Url.Encode(new byte[64]), "senderKeyId");
    }
}
