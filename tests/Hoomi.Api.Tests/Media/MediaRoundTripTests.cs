using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;

namespace Hoomi.Api.Tests.Media;

/// <summary>The media flow through the API, on every blob store provider (the cloud ones on their emulators).</summary>
[TestFixtureSource(typeof(StorageEmulators), nameof(StorageEmulators.Providers))]
public sealed class MediaRoundTripTests(string provider)
{
    private HoomiApiFactory _factory = null!;
    private MediaScene _scene = null!;

    [OneTimeSetUp]
    public async Task StartApi()
    {
        _factory = HoomiApiFactory.OnPostgres(StorageEmulators.SettingsFor(provider));
        _scene = await MediaScene.CreateAsync(_factory);
    }

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    [TestCase(0L)]
    [TestCase(1L)]
    [TestCase(65535L)]
    [TestCase(65536L)]
    [TestCase(65537L)]
    [TestCase(50L * 1024 * 1024)]
    public async Task A_member_downloads_exactly_the_ciphertext_another_member_uploaded(long plaintextLength)
    {
        var upload = _scene.NewUpload();
        upload.Ciphertext = MediaUpload.FakeCiphertext(plaintextLength);
        var created = await _scene.UploadAsync(_scene.Alice, upload);
        Assert.That(created["id"]!.GetValue<string>(), Is.EqualTo(upload.MediaId.ToString()));

        var response = await _scene.Bob.Http.GetAsync($"/media/{upload.MediaId}", HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/octet-stream"));
            Assert.That(response.Content.Headers.ContentDisposition!.DispositionType, Is.EqualTo("attachment"));
            Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
            Assert.That(response.Headers.AcceptRanges.Single(), Is.EqualTo("bytes"));
            Assert.That(response.Headers.ETag!.Tag, Is.EqualTo($"\"{MediaUpload.Sha256Hex(upload.Ciphertext)}\""));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(upload.Ciphertext.LongLength));
        });
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.That(body.SequenceEqual(upload.Ciphertext), Is.True, "downloaded bytes differ from the uploaded ones");
    }

    [Test]
    public async Task Range_requests_return_exactly_the_asked_bytes()
    {
        var upload = _scene.NewUpload();
        upload.Ciphertext = MediaUpload.FakeCiphertext(200_000);
        await _scene.UploadAsync(_scene.Alice, upload);
        var size = upload.Ciphertext.LongLength;

        async Task<(HttpResponseMessage Response, byte[] Body)> Get(string range)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/media/{upload.MediaId}");
            request.Headers.TryAddWithoutValidation("Range", range);
            var r = await _scene.Bob.Http.SendAsync(request);
            return (r, await r.Content.ReadAsByteArrayAsync());
        }

        var first = await Get("bytes=0-0");
        Assert.That(first.Response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(first.Body, Is.EqualTo(upload.Ciphertext[..1]));
        Assert.That(first.Response.Content.Headers.ContentRange!.ToString(), Is.EqualTo($"bytes 0-0/{size}"));

        var middle = await Get("bytes=1000-70999");
        Assert.That(middle.Response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(middle.Body, Is.EqualTo(upload.Ciphertext[1000..71000]));

        var suffix = await Get("bytes=-500");
        Assert.That(suffix.Body, Is.EqualTo(upload.Ciphertext[^500..]));
        Assert.That(suffix.Response.Content.Headers.ContentRange!.ToString(), Is.EqualTo($"bytes {size - 500}-{size - 1}/{size}"));

        var openEnded = await Get($"bytes={size - 10}-");
        Assert.That(openEnded.Body, Is.EqualTo(upload.Ciphertext[^10..]));

        var beyond = await Get($"bytes={size}-");
        Assert.That(beyond.Response.StatusCode, Is.EqualTo(HttpStatusCode.RequestedRangeNotSatisfiable));
        Assert.That(beyond.Response.Content.Headers.ContentRange!.ToString(), Is.EqualTo($"bytes */{size}"));

        var overlong = await Get($"bytes=10-{size + 100}");
        Assert.That(overlong.Body, Is.EqualTo(upload.Ciphertext[10..]));

        var multiple = await Get("bytes=0-1,5-6");
        Assert.That(multiple.Response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "several ranges are answered with the whole object");
        Assert.That(multiple.Body, Has.Length.EqualTo(size));

        var garbage = await Get("bytes=abc");
        Assert.That(garbage.Response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task If_none_match_with_the_etag_gets_304_and_if_range_with_another_etag_gets_the_whole_file()
    {
        var upload = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, upload);
        var etag = $"\"{MediaUpload.Sha256Hex(upload.Ciphertext)}\"";

        var conditional = new HttpRequestMessage(HttpMethod.Get, $"/media/{upload.MediaId}");
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag));
        var notModified = await _scene.Bob.Http.SendAsync(conditional);
        Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(await notModified.Content.ReadAsByteArrayAsync(), Is.Empty);

        var other = new HttpRequestMessage(HttpMethod.Get, $"/media/{upload.MediaId}");
        other.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"something-else\""));
        Assert.That((await _scene.Bob.Http.SendAsync(other)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var ifRange = new HttpRequestMessage(HttpMethod.Get, $"/media/{upload.MediaId}");
        ifRange.Headers.TryAddWithoutValidation("Range", "bytes=0-9");
        ifRange.Headers.TryAddWithoutValidation("If-Range", "\"stale\"");
        var whole = await _scene.Bob.Http.SendAsync(ifRange);
        Assert.That(whole.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Info_carries_the_callers_own_wrapped_keys_only()
    {
        var upload = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, upload);
        var info = (await _scene.Bob.Http.GetFromJsonAsync<JsonObject>($"/media/{upload.MediaId}/info"))!;
        var keys = info["wrappedKeys"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(keys.Select(k => k!["recipientKeyId"]!.GetValue<string>()), Is.EqualTo(new[] { _scene.BobKey.KeyId }));
            Assert.That(info["mimeType"]!.GetValue<string>(), Is.EqualTo("image/jpeg"));
            Assert.That(info["size"]!.GetValue<long>(), Is.EqualTo(upload.Ciphertext.LongLength));
            Assert.That(info["sha256"]!.GetValue<string>(), Is.EqualTo(MediaUpload.Sha256Hex(upload.Ciphertext)));
            Assert.That(info["uploaderId"]!.GetValue<string>(), Is.EqualTo(_scene.Alice.UserId.ToString()));
            Assert.That(info["hasThumbnail"]!.GetValue<bool>(), Is.False);
            Assert.That(info["width"]!.GetValue<int>(), Is.EqualTo(640));
        });
    }

    [Test]
    public async Task A_thumbnail_is_served_with_immutable_caching_and_its_own_etag()
    {
        var upload = _scene.NewUpload();
        upload.Thumbnail = MediaUpload.FakeCiphertext(3000);
        await _scene.UploadAsync(_scene.Alice, upload);

        var response = await _scene.Bob.Http.GetAsync($"/media/{upload.MediaId}/thumbnail");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.Multiple(async () =>
        {
            Assert.That(response.Headers.CacheControl!.Private, Is.True);
            Assert.That(response.Headers.CacheControl!.MaxAge, Is.EqualTo(TimeSpan.FromSeconds(31536000)));
            Assert.That(response.Headers.CacheControl!.Extensions.Select(e => e.Name), Does.Contain("immutable"));
            Assert.That(response.Headers.ETag!.Tag, Is.EqualTo($"\"{MediaUpload.Sha256Hex(upload.Thumbnail)}\""));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/octet-stream"));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(upload.Thumbnail));
        });
        var info = (await _scene.Bob.Http.GetFromJsonAsync<JsonObject>($"/media/{upload.MediaId}/info"))!;
        Assert.That(info["hasThumbnail"]!.GetValue<bool>(), Is.True);

        var withoutThumb = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, withoutThumb);
        Assert.That((await _scene.Bob.Http.GetAsync($"/media/{withoutThumb.MediaId}/thumbnail")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task The_list_pages_newest_first_through_every_item_exactly_once()
    {
        var factory = HoomiApiFactory.OnPostgres(StorageEmulators.SettingsFor(provider));
        try
        {
            var scene = await MediaScene.CreateAsync(factory);
            var uploaded = new List<string>();
            for (var i = 0; i < 7; i++)
            {
                var u = scene.NewUpload();
                await scene.UploadAsync(scene.Alice, u);
                uploaded.Add(u.MediaId.ToString());
            }

            var seen = new List<string>();
            string? cursor = null;
            var pages = 0;
            do
            {
                var url = $"/hoomis/{scene.HoomiId}/media?limit=3" + (cursor is null ? "" : $"&cursor={cursor}");
                var page = (await scene.Bob.Http.GetFromJsonAsync<JsonObject>(url))!;
                var items = page["items"]!.AsArray();
                Assert.That(items, Has.Count.LessThanOrEqualTo(3));
                Assert.That(items.All(i => i!["wrappedKeys"]!.AsArray().Count == 1), Is.True, "each item carries the caller's wrapped key");
                seen.AddRange(items.Select(i => i!["id"]!.GetValue<string>()));
                cursor = page["nextCursor"]?.GetValue<string>();
                pages++;
            }
            while (cursor is not null);

            Assert.That(pages, Is.EqualTo(3));
            Assert.That(seen, Is.EqualTo(Enumerable.Reverse(uploaded).ToList()));

            Assert.That((await scene.Bob.Http.GetAsync($"/hoomis/{scene.HoomiId}/media?limit=0")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await scene.Bob.Http.GetAsync($"/hoomis/{scene.HoomiId}/media?limit=101")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await scene.Bob.Http.GetAsync($"/hoomis/{scene.HoomiId}/media?cursor=bogus!")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await scene.Mallory.Http.GetAsync($"/hoomis/{scene.HoomiId}/media")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }
        finally
        {
            factory.Dispose();
        }
    }

    [Test]
    public async Task A_deleted_media_is_gone_from_every_read_at_once()
    {
        var upload = _scene.NewUpload();
        upload.Thumbnail = MediaUpload.FakeCiphertext(100);
        await _scene.UploadAsync(_scene.Bob, upload);

        Assert.That((await _scene.Mallory.Http.DeleteAsync($"/media/{upload.MediaId}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var delete = await _scene.Alice.Http.DeleteAsync($"/media/{upload.MediaId}");
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), "an owner may delete a member's upload");

        Assert.Multiple(async () =>
        {
            Assert.That((await _scene.Bob.Http.GetAsync($"/media/{upload.MediaId}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await _scene.Bob.Http.GetAsync($"/media/{upload.MediaId}/info")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await _scene.Bob.Http.GetAsync($"/media/{upload.MediaId}/thumbnail")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await _scene.Bob.Http.DeleteAsync($"/media/{upload.MediaId}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
        var list = (await _scene.Bob.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{_scene.HoomiId}/media?limit=100"))!;
        Assert.That(list["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()), Does.Not.Contain(upload.MediaId.ToString()));
    }

    [Test]
    public async Task A_member_who_is_not_the_uploader_nor_an_owner_cannot_delete()
    {
        var upload = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, upload);
        var response = await _scene.Bob.Http.DeleteAsync($"/media/{upload.MediaId}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        await ApiClient.ProblemOf(response);
        Assert.That((await _scene.Bob.Http.GetAsync($"/media/{upload.MediaId}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Retrying_an_upload_with_the_same_id_and_hash_returns_the_existing_media_and_another_hash_is_409()
    {
        var upload = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, upload);

        var retry = await _scene.Alice.Http.PostAsync($"/hoomis/{_scene.HoomiId}/media", upload.ToContent());
        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await retry.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>(), Is.EqualTo(upload.MediaId.ToString()));

        var other = _scene.NewUpload();
        other.MediaId = upload.MediaId;
        var conflict = await _scene.Alice.Http.PostAsync($"/hoomis/{_scene.HoomiId}/media", other.ToContent());
        Assert.That(conflict.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await ApiClient.ProblemOf(conflict))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:media-id-in-use"));
        var stillOriginal = await _scene.Bob.Http.GetByteArrayAsync($"/media/{upload.MediaId}");
        Assert.That(stillOriginal, Is.EqualTo(upload.Ciphertext));
    }

    [Test]
    public async Task An_outsider_gets_404_for_every_media_route()
    {
        var upload = _scene.NewUpload();
        upload.Thumbnail = MediaUpload.FakeCiphertext(10);
        await _scene.UploadAsync(_scene.Alice, upload);
        var m = _scene.Mallory.Http;
        Assert.Multiple(async () =>
        {
            Assert.That((await m.GetAsync($"/media/{upload.MediaId}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await m.GetAsync($"/media/{upload.MediaId}/info")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await m.GetAsync($"/media/{upload.MediaId}/thumbnail")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await m.GetAsync($"/media/{upload.MediaId}/keys")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await m.PostAsJsonAsync($"/media/{upload.MediaId}/keys", new { wrappedKeys = Array.Empty<object>() })).StatusCode,
                Is.EqualTo(HttpStatusCode.BadRequest).Or.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Authorization_comes_before_validation_so_an_outsider_gets_404_not_400_for_input_a_member_would_have_refused()
    {
        var m = _scene.Mallory.Http;
        var a = _scene.Alice.Http;
        // Input the validators refuse: a limit far beyond the maximum, a cursor that is not one, an empty user name.
        string[] reads = [$"/hoomis/{_scene.HoomiId}/media?limit=100000", $"/hoomis/{_scene.HoomiId}/events?after=not-a-cursor"];
        foreach (var url in reads)
        {
            Assert.That((await a.GetAsync(url)).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a member: " + url);
            Assert.That((await m.GetAsync(url)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "an outsider: " + url);
        }

        Assert.That((await m.PostAsJsonAsync($"/hoomis/{_scene.HoomiId}/members", new { userName = "" })).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await a.PostAsJsonAsync($"/hoomis/{_scene.HoomiId}/members", new { userName = "" })).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Without_a_token_every_media_route_is_401()
    {
        var anonymous = _factory.CreateClient();
        var id = Guid.CreateVersion7();
        Assert.Multiple(async () =>
        {
            Assert.That((await anonymous.GetAsync($"/media/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await anonymous.GetAsync($"/media/{id}/info")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await anonymous.GetAsync($"/hoomis/{_scene.HoomiId}/media")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await anonymous.PostAsync($"/hoomis/{_scene.HoomiId}/media", _scene.NewUpload().ToContent())).StatusCode,
                Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task A_member_who_joined_later_gets_access_when_another_member_shares_the_key()
    {
        // A scene of its own: adding a member changes which keys every later upload must wrap for.
        var scene = await MediaScene.CreateAsync(_factory);
        var upload = scene.NewUpload();
        await scene.UploadAsync(scene.Alice, upload);
        var carol = await ApiClient.RegisterAsync(_factory.CreateClient(), "carol");
        var carolKey = await carol.RegisterDeviceKeyAsync();
        await scene.Alice.AddMemberAsync(scene.HoomiId, carol);

        var keys = (await scene.Bob.Http.GetFromJsonAsync<JsonObject>($"/media/{upload.MediaId}/keys"))!;
        Assert.That(keys["missingRecipientKeyIds"]!.AsArray().Select(k => k!.GetValue<string>()), Is.EqualTo(new[] { carolKey.KeyId }));
        var before = (await carol.Http.GetFromJsonAsync<JsonObject>($"/media/{upload.MediaId}/info"))!;
        Assert.That(before["wrappedKeys"]!.AsArray(), Is.Empty);

        var share = MediaUpload.ShareBody(scene.BobKey, carolKey);
        var response = await scene.Bob.Http.PostAsJsonAsync($"/media/{upload.MediaId}/keys", share);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var after = (await carol.Http.GetFromJsonAsync<JsonObject>($"/media/{upload.MediaId}/info"))!;
        Assert.That(after["wrappedKeys"]!.AsArray().Select(k => k!["recipientKeyId"]!.GetValue<string>()), Is.EqualTo(new[] { carolKey.KeyId }));

        var again = await scene.Bob.Http.PostAsJsonAsync($"/media/{upload.MediaId}/keys", share.DeepClone());
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "a key already wrapped for that device");

        var stranger = MediaUpload.ShareBody(scene.BobKey, TestDeviceKey.Generate());
        var unknown = await scene.Bob.Http.PostAsJsonAsync($"/media/{upload.MediaId}/keys", stranger);
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a key of no member");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_one_pass_upload_with_a_trailing_seal_is_stored_and_served_like_any_other(bool withThumbnail)
    {
        var upload = _scene.NewUpload();
        upload.TrailingSeal = true;
        upload.Sender = _scene.AliceKey;
        upload.Ciphertext = MediaUpload.FakeCiphertext(300_000);
        upload.Thumbnail = withThumbnail ? MediaUpload.FakeCiphertext(500) : null;
        var created = await _scene.UploadAsync(_scene.Alice, upload);
        var seal = upload.Seal();
        Assert.Multiple(() =>
        {
            Assert.That(created["sha256"]!.GetValue<string>(), Is.EqualTo(MediaUpload.Sha256Hex(upload.Ciphertext)));
            Assert.That(created["size"]!.GetValue<long>(), Is.EqualTo(upload.Ciphertext.LongLength));
            Assert.That(created["signature"]!.GetValue<string>(), Is.EqualTo(seal["signature"]!.GetValue<string>()), "the seal's signature is the item's");
            Assert.That(created["senderKeyId"]!.GetValue<string>(), Is.EqualTo(_scene.AliceKey.KeyId));
            Assert.That(created["hasThumbnail"]!.GetValue<bool>(), Is.EqualTo(withThumbnail));
        });

        var body = await _scene.Bob.Http.GetByteArrayAsync($"/media/{upload.MediaId}");
        Assert.That(body.SequenceEqual(upload.Ciphertext), Is.True, "downloaded bytes differ from the uploaded ones");
        if (withThumbnail)
        {
            Assert.That((await _scene.Bob.Http.GetByteArrayAsync($"/media/{upload.MediaId}/thumbnail")).SequenceEqual(upload.Thumbnail!), Is.True);
        }
    }

    [Test]
    public async Task A_one_pass_upload_under_an_id_already_stored_is_409_even_with_the_same_content()
    {
        // Its hash comes after the ciphertext, so the server cannot match it to the stored item before reading it all.
        var upload = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, upload);
        upload.TrailingSeal = true;
        var response = await _scene.Alice.Http.PostAsync($"/hoomis/{_scene.HoomiId}/media", upload.ToContent());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), await response.Content.ReadAsStringAsync());
        Assert.That((await ApiClient.ProblemOf(response))["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:media-id-in-use"));
    }
}
