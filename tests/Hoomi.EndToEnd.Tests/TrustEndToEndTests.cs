using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Hoomi.Client;
using Hoomi.Client.Api;
using Hoomi.Client.Crypto;
using Hoomi.Client.Storage;
using Hoomi.Client.Trust;
using Hoomi.EndToEnd.Tests.Infrastructure;
using Npgsql;

namespace Hoomi.EndToEnd.Tests;

/// <summary>
/// hoomi-e2ee-2 when the server is the adversary: a man in the middle rewrites the members' keys, the database is
/// edited to swap an item's content and wraps, and sizes are padded. The SDK runs against the real API (PostgreSQL,
/// filesystem store); the attacker is a real HTTP proxy in between, or SQL on the API's own database.
/// </summary>
[TestFixture]
public sealed class TrustEndToEndTests
{
    private ApiHost _api = null!;

    [OneTimeSetUp]
    public void Start() => _api = ApiHost.Start();

    [OneTimeTearDown]
    public void Stop() => _api?.Dispose();

    private sealed record Scene(TestUser Alice, TestUser Bob, Guid Hoomi, RewritingProxy Proxy, HoomiClient AliceViaProxy) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            AliceViaProxy.Dispose();
            await Proxy.DisposeAsync();
            Alice.Dispose();
            Bob.Dispose();
        }
    }

    /// <summary>Alice and Bob in one hoomi; Alice's client talks through the proxy and has already pinned Bob's identity.</summary>
    private async Task<Scene> SceneAsync()
    {
        var alice = await TestUser.CreateAsync(_api, "alice");
        var bob = await TestUser.CreateAsync(_api, "bob");
        var hoomi = (await alice.Client.CreateHoomiAsync("Family")).Id;
        await alice.AddMemberAsync(hoomi, bob);
        var proxy = await RewritingProxy.StartAsync(_api.BaseAddress);
        var home = alice.Client.Home;
        home.SaveSession(home.LoadSession()! with { Server = proxy.Address });
        var viaProxy = new HoomiClient(proxy.Address, home);
        var members = await viaProxy.CheckMembersAsync(hoomi);
        Assert.That(members.Single(m => m.Member.UserName == bob.Email).Identity, Is.EqualTo(IdentityTrust.New), "bob pinned on first sight");
        return new Scene(alice, bob, hoomi, proxy, viaProxy);
    }

    private static Func<string, string, string> RewriteMembers(Guid hoomi, Func<JsonObject, bool> isTarget, Action<JsonArray> edit) => (path, body) =>
    {
        if (path != $"/hoomis/{hoomi}/members")
        {
            return body;
        }

        var json = JsonNode.Parse(body)!;
        foreach (var member in json["items"]!.AsArray())
        {
            if (isTarget(member!.AsObject()))
            {
                edit(member["keys"]!.AsArray());
            }
        }

        return json.ToJsonString();
    };

    private static async Task<int> CountMediaAsync(TestUser user, Guid hoomi) => (await user.Client.ListMediaAsync(hoomi)).Items.Count;

    private static Task<MediaInfo> UploadAsync(HoomiClient client, Guid hoomi, byte[] plaintext, string name = "photo.jpg")
    {
        var content = new MemoryStream(plaintext);
        return client.UploadAsync(hoomi, content, new UploadOptions(name, "image/jpeg"));
    }

    [Test]
    public async Task A_public_key_swapped_under_the_same_id_stops_the_upload_and_nothing_is_wrapped_for_the_attacker()
    {
        await using var scene = await SceneAsync();
        using var attacker = DeviceKeyPair.Generate();
        var bobKey = (await scene.Bob.Client.ListMyKeysAsync()).Single().KeyId;
        scene.Proxy.Rewrite = RewriteMembers(scene.Hoomi, m => (string)m["userName"]! == scene.Bob.Email,
            keys => keys[0]!["publicKey"] = attacker.PublicKeyBase64Url);

        var ex = Assert.ThrowsAsync<HoomiTrustException>(() => UploadAsync(scene.AliceViaProxy, scene.Hoomi, new byte[5000]));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Failure, Is.EqualTo(TrustFailure.KeyIdMismatch));
            Assert.That(ex.Message, Does.Contain(scene.Bob.Email).And.Contain(bobKey));
            Assert.That(scene.Proxy.Rewritten, Is.Not.Empty, "the proxy did rewrite the member list");
        });
        Assert.That(await CountMediaAsync(scene.Bob, scene.Hoomi), Is.Zero, "nothing reached the server");

        // The same upload without the attacker goes through, so the refusal was the attack's doing.
        scene.Proxy.Rewrite = null;
        var media = await UploadAsync(scene.AliceViaProxy, scene.Hoomi, new byte[5000]);
        Assert.That(media.UploadWraps!.Select(w => w.RecipientKeyId), Does.Contain(bobKey));
    }

    [Test]
    public async Task An_extra_device_without_a_valid_identity_signature_stops_the_upload()
    {
        await using var scene = await SceneAsync();
        using var attacker = DeviceKeyPair.Generate();
        using var signing = SigningKeyPair.Generate();
        using var fakeIdentity = SigningKeyPair.Generate();
        string bobIdentity = "";
        scene.Proxy.Rewrite = RewriteMembers(scene.Hoomi, m => (string)m["userName"]! == scene.Bob.Email, keys =>
        {
            bobIdentity = (string)keys[0]!["identityKey"]!;
            // A device "of bob" the server made: the right fingerprint, bob's identity key named, a signature of its own.
            var signature = fakeIdentity.Sign(SignedMessages.DeviceCertificate(Guid.NewGuid(), attacker.PublicKey.Span, signing.PublicKey.Span));
            keys.Add(new JsonObject
            {
                ["keyId"] = attacker.KeyId, ["publicKey"] = attacker.PublicKeyBase64Url, ["signingKey"] = signing.PublicKeyBase64Url,
                ["identityKey"] = bobIdentity, ["signature"] = Base64Url.Encode(signature),
            });
        });

        var ex = Assert.ThrowsAsync<HoomiTrustException>(() => UploadAsync(scene.AliceViaProxy, scene.Hoomi, new byte[5000]));
        Assert.That(ex!.Failure, Is.EqualTo(TrustFailure.BadDeviceSignature));
        Assert.That(ex.Message, Does.Contain(scene.Bob.Email).And.Contain(attacker.KeyId));
        Assert.That(await CountMediaAsync(scene.Bob, scene.Hoomi), Is.Zero);

        // Without any certificate at all: refused too.
        scene.Proxy.Rewrite = RewriteMembers(scene.Hoomi, m => (string)m["userName"]! == scene.Bob.Email, keys =>
            keys.Add(new JsonObject { ["keyId"] = attacker.KeyId, ["publicKey"] = attacker.PublicKeyBase64Url }));
        var unsigned = Assert.ThrowsAsync<HoomiTrustException>(() => UploadAsync(scene.AliceViaProxy, scene.Hoomi, new byte[5000]));
        Assert.That(unsigned!.Failure, Is.EqualTo(TrustFailure.UnsignedDevice));
        Assert.That(unsigned.Message, Does.Contain(attacker.KeyId));
        Assert.That(await CountMediaAsync(scene.Bob, scene.Hoomi), Is.Zero);
    }

    [Test]
    public async Task A_changed_identity_key_stops_uploads_to_that_member_until_accepted()
    {
        await using var scene = await SceneAsync();
        using var attacker = DeviceKeyPair.Generate();
        using var signing = SigningKeyPair.Generate();
        using var newIdentity = SigningKeyPair.Generate();
        var bobId = (await scene.Bob.Client.GetMeAsync()).UserId;
        var cert = newIdentity.Sign(SignedMessages.DeviceCertificate(bobId, attacker.PublicKey.Span, signing.PublicKey.Span));
        // Every device of bob replaced by one certified by another identity key: a perfect forgery but for the pin.
        scene.Proxy.Rewrite = RewriteMembers(scene.Hoomi, m => (string)m["userName"]! == scene.Bob.Email, keys =>
        {
            keys.Clear();
            keys.Add(new JsonObject
            {
                ["keyId"] = attacker.KeyId, ["publicKey"] = attacker.PublicKeyBase64Url, ["signingKey"] = signing.PublicKeyBase64Url,
                ["identityKey"] = newIdentity.PublicKeyBase64Url, ["signature"] = Base64Url.Encode(cert),
            });
        });

        var ex = Assert.ThrowsAsync<HoomiTrustException>(() => UploadAsync(scene.AliceViaProxy, scene.Hoomi, new byte[5000]));
        Assert.That(ex!.Failure, Is.EqualTo(TrustFailure.IdentityChanged));
        Assert.That(ex.Message, Does.Contain(scene.Bob.Email).And.Contain(attacker.KeyId));
        var members = await scene.AliceViaProxy.CheckMembersAsync(scene.Hoomi);
        Assert.That(members.Single(m => m.Member.UserId == bobId).Identity, Is.EqualTo(IdentityTrust.Changed));
        Assert.That(await CountMediaAsync(scene.Bob, scene.Hoomi), Is.Zero);

        // Only the user's explicit acceptance lets it through (here: the forged one, to show that the gate is the pin).
        var number = await scene.AliceViaProxy.GetSafetyNumberAsync(scene.Bob.Email);
        Assert.That(number.Trust, Is.EqualTo(IdentityTrust.Changed));
        Assert.That(() => scene.AliceViaProxy.MarkVerified(number, acceptChanged: false), Throws.InstanceOf<HoomiTrustException>());
        scene.AliceViaProxy.MarkVerified(number, acceptChanged: true);
        Assert.That(scene.AliceViaProxy.Trust.Get(bobId)!.IdentityKey, Is.EqualTo(newIdentity.PublicKeyBase64Url));
    }

    [Test]
    public async Task Content_and_wraps_swapped_in_the_database_are_refused_with_the_reason()
    {
        await using var scene = await SceneAsync();
        var original = Plaintext.WithMarker(20_000, "ORIGINAL");
        var media = await UploadAsync(scene.Alice.Client, scene.Hoomi, original);
        var bobKey = (await scene.Bob.Client.ListMyKeysAsync()).Single();

        // The server makes its own item: a new file key wrapped for bob's real key, new content and metadata.
        var forgedKey = RandomNumberGenerator.GetBytes(32);
        var forged = Hme1.Encrypt(Plaintext.WithMarker(20_000, "FORGED"), forgedKey, Hme1Purpose.Content, new Hme1WriterOptions { Version = 2, Pad = true });
        var wrap = FileKeyWrapper.Wrap(Base64Url.Decode(bobKey.PublicKey, 65), forgedKey, media.Id);
        var metadata = EncryptedMetadata.Encrypt(forgedKey, media.Id, new MediaMetadata("photo.jpg", "image/jpeg", 20_000), pad: true);
        var blob = Directory.GetFiles(_api.BlobRoot, "*", SearchOption.AllDirectories).Single(f => f.EndsWith(media.Id.ToString(), StringComparison.OrdinalIgnoreCase));
        await File.WriteAllBytesAsync(blob, forged);
        await using (var db = new NpgsqlConnection(_api.ConnectionString))
        {
            await db.OpenAsync();
            await using var update = new NpgsqlCommand(
                "UPDATE media SET size = @size, sha256 = @sha, header = @header, encrypted_metadata = @meta WHERE id = @id;" +
                "UPDATE wrapped_keys SET enc = @enc, key = @key WHERE media_id = @id AND recipient_key_id = @kid;", db);
            update.Parameters.AddWithValue("size", (long)forged.Length);
            update.Parameters.AddWithValue("sha", Convert.ToHexStringLower(SHA256.HashData(forged)));
            update.Parameters.AddWithValue("header", forged[..96]);
            update.Parameters.AddWithValue("meta", metadata);
            update.Parameters.AddWithValue("id", media.Id);
            update.Parameters.AddWithValue("enc", Base64Url.Decode(wrap.EncBase64Url));
            update.Parameters.AddWithValue("key", Base64Url.Decode(wrap.WrappedKeyBase64Url));
            update.Parameters.AddWithValue("kid", bobKey.KeyId);
            Assert.That(await update.ExecuteNonQueryAsync(), Is.EqualTo(2), "media row and bob's wrap edited");
        }

        using var output = new MemoryStream();
        var ex = Assert.ThrowsAsync<HoomiTrustException>(() => scene.Bob.Client.DownloadAsync(media.Id, output));
        Assert.That(ex!.Failure, Is.EqualTo(TrustFailure.BadItemSignature));
        Assert.That(ex.Message, Does.Contain("signature").And.Contain(media.Id.ToString()));
        Assert.That(output.Length, Is.Zero, "nothing was released");
        Assert.That(() => scene.Bob.Client.DecryptMetadata(scene.Bob.Client.GetMediaInfoAsync(media.Id).Result), Throws.InstanceOf<HoomiTrustException>());

        // Stripping the signature does not help: a version-2 item must be signed.
        await using (var db = new NpgsqlConnection(_api.ConnectionString))
        {
            await db.OpenAsync();
            await using var strip = new NpgsqlCommand("UPDATE media SET signature = NULL, sender_key_id = NULL WHERE id = @id", db);
            strip.Parameters.AddWithValue("id", media.Id);
            await strip.ExecuteNonQueryAsync();
        }

        scene.Bob.Client.AllowUnsigned = true;
        var unsigned = Assert.ThrowsAsync<HoomiTrustException>(() => scene.Bob.Client.DownloadAsync(media.Id, output));
        Assert.That(unsigned!.Failure, Is.EqualTo(TrustFailure.UnsignedItem));
    }

    [Test]
    public async Task A_garbage_wrap_a_member_plants_for_another_device_is_removed_by_that_device_and_shared_again()
    {
        await using var scene = await SceneAsync();
        var media = await UploadAsync(scene.Alice.Client, scene.Hoomi, Plaintext.WithMarker(9_000, "PLANTED"));
        using var dave = await TestUser.CreateAsync(_api, "dave");
        await scene.Alice.AddMemberAsync(scene.Hoomi, dave);
        var daveKey = (await dave.Client.ListMyKeysAsync()).Single();

        // Bob, a member, is first to "share" with dave: a wrap that opens to nothing, properly signed by bob's device.
        var garbage = new SignedWrap(daveKey.KeyId, Base64Url.Decode(FileKeyWrapper.Wrap(Base64Url.Decode(daveKey.PublicKey, 65), RandomNumberGenerator.GetBytes(32), Guid.NewGuid()).EncBase64Url), RandomNumberGenerator.GetBytes(48));
        var signature = scene.Bob.Client.SigningKey.Sign(SignedMessages.Share(scene.Hoomi, media.Id, Convert.FromHexString(media.Sha256), garbage));
        using (var http = new HttpClient { BaseAddress = _api.BaseAddress })
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", scene.Bob.Client.Session!.AccessToken);
            var body = new JsonObject
            {
                ["wrappedKeys"] = new JsonArray(new JsonObject
                {
                    ["recipientKeyId"] = garbage.RecipientKeyId, ["enc"] = Base64Url.Encode(garbage.Enc), ["wrappedKey"] = Base64Url.Encode(garbage.WrappedKey),
                    ["signerKeyId"] = scene.Bob.Client.DeviceKey.KeyId, ["signature"] = Base64Url.Encode(signature),
                }),
            };
            using var planted = await http.PostAsync($"media/{media.Id}/keys", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
            Assert.That(planted.IsSuccessStatusCode, Is.True, await planted.Content.ReadAsStringAsync());
        }

        // Alice's share-keys finds nothing missing: first writer won.
        Assert.That(await scene.Alice.Client.ShareKeysAsync(media.Id), Is.Zero);
        using var output = new MemoryStream();
        var ex = Assert.ThrowsAsync<HoomiTrustException>(() => dave.Client.DownloadAsync(media.Id, output));
        Assert.That(ex!.Failure, Is.EqualTo(TrustFailure.UnopenableWrap));
        Assert.That(ex.Message, Does.Contain("share-keys"));
        Assert.That((await dave.Client.GetMediaInfoAsync(media.Id)).WrappedKeys, Is.Empty, "dave's device removed the unopenable wrap");

        Assert.That(await scene.Alice.Client.ShareKeysAsync(media.Id), Is.EqualTo(1));
        var info = await dave.Client.GetMediaInfoAsync(media.Id);
        Assert.That(info.WrappedKeys.Single().SignerKeyId, Is.EqualTo(scene.Alice.Client.DeviceKey.KeyId));
        await dave.Client.DownloadAsync(media.Id, output);
        Assert.That(output.Length, Is.EqualTo(9_000));
    }

    [Test]
    public async Task A_wrap_of_the_signed_upload_edited_in_the_database_makes_the_item_refused()
    {
        await using var scene = await SceneAsync();
        var media = await UploadAsync(scene.Alice.Client, scene.Hoomi, Plaintext.WithMarker(9_000, "EDITED"));
        var bobKey = (await scene.Bob.Client.ListMyKeysAsync()).Single();
        await using (var db = new NpgsqlConnection(_api.ConnectionString))
        {
            await db.OpenAsync();
            await using var edit = new NpgsqlCommand("UPDATE wrapped_keys SET key = @key WHERE media_id = @id AND recipient_key_id = @kid", db);
            edit.Parameters.AddWithValue("key", RandomNumberGenerator.GetBytes(48));
            edit.Parameters.AddWithValue("id", media.Id);
            edit.Parameters.AddWithValue("kid", bobKey.KeyId);
            Assert.That(await edit.ExecuteNonQueryAsync(), Is.EqualTo(1));
        }

        var ex = Assert.ThrowsAsync<HoomiTrustException>(() => scene.Bob.Client.DownloadAsync(media.Id, new MemoryStream()));
        Assert.That(ex!.Failure, Is.EqualTo(TrustFailure.BadItemSignature));
        Assert.That(ex.Message, Does.Contain("wraps"));
    }

    [Test]
    public async Task Stored_sizes_fall_only_on_bucket_boundaries_and_a_ranged_read_of_a_padded_video_works()
    {
        await using var scene = await SceneAsync();
        var sizes = new HashSet<long>();
        foreach (var length in new[] { 69_700, 70_500, 71_000, 71_680 })
        {
            var media = await UploadAsync(scene.Alice.Client, scene.Hoomi, new byte[length]);
            var blob = Directory.GetFiles(_api.BlobRoot, "*", SearchOption.AllDirectories).Single(f => f.EndsWith(media.Id.ToString(), StringComparison.OrdinalIgnoreCase));
            Assert.That(new FileInfo(blob).Length, Is.EqualTo(media.Size));
            Assert.That(media.Size, Is.EqualTo(Hme1Format.CiphertextLengthV2(Hme1Format.Padme(length), 1 << 16)));
            sizes.Add(media.Size);
        }

        Assert.That(sizes, Has.Count.EqualTo(1), "four lengths, one bucket: the server cannot tell them apart");

        var video = Plaintext.WithMarker(3_000_000, "VIDEO");
        var clip = await scene.Alice.Client.UploadAsync(scene.Hoomi, new MemoryStream(video), new UploadOptions("clip.mp4", "video/mp4"));
        Assert.That(clip.Size, Is.EqualTo(Hme1Format.CiphertextLengthV2(Hme1Format.Padme(video.Length), 1 << 16)));
        using var tail = new MemoryStream();
        Assert.That(await scene.Bob.Client.DownloadRangeAsync(clip.Id, video.Length - 1000, null, tail), Is.EqualTo(1000));
        Assert.That(tail.ToArray(), Is.EqualTo(video.AsSpan(video.Length - 1000).ToArray()), "the end of the video, not its padding");
        Assert.That(async () => await scene.Bob.Client.DownloadRangeAsync(clip.Id, video.Length, 10, new MemoryStream()), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public async Task A_cross_signed_new_device_is_trusted_without_a_question_and_reads_what_it_is_sent()
    {
        await using var scene = await SceneAsync();
        using var bobLaptop = await scene.Bob.OnAnotherDeviceAsync(_api);
        await bobLaptop.Client.RegisterDeviceKeyAsync();
        var members = await scene.AliceViaProxy.CheckMembersAsync(scene.Hoomi);
        var bob = members.Single(m => m.Member.UserName == scene.Bob.Email);
        Assert.That(bob.Devices, Has.Count.EqualTo(2));
        Assert.That(bob.AllValid, Is.True);
        Assert.That(bob.Identity, Is.EqualTo(IdentityTrust.New), "still the pinned identity, no question");

        var plaintext = Plaintext.WithMarker(40_000, "LAPTOP");
        var media = await UploadAsync(scene.AliceViaProxy, scene.Hoomi, plaintext);
        using var output = new MemoryStream();
        var result = await bobLaptop.Client.DownloadAsync(media.Id, output);
        Assert.That(output.ToArray(), Is.EqualTo(plaintext));
        Assert.That(result.Sender.UserId, Is.EqualTo((await scene.Alice.Client.GetMeAsync()).UserId));

        // A new device without the identity key cannot register silently: it would be a new identity.
        using var stranger = await scene.Bob.OnAnotherDeviceAsync(_api, withIdentity: false);
        Assert.That(async () => await stranger.Client.RegisterDeviceKeyAsync(), Throws.InstanceOf<HoomiClientException>().With.Message.Contains("identity import"));
    }
}
