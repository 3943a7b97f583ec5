using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Common;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hoomi.Api.Tests.Media;

/// <summary>
/// Every refused upload answers with the right status and problem details and leaves nothing behind:
/// no blob (the blob directory stays empty, or the store lists nothing under <c>media/</c>) and no
/// media or wrapped-key row. Run on every blob store provider.
/// </summary>
[TestFixtureSource(typeof(StorageEmulators), nameof(StorageEmulators.Providers))]
public sealed class MediaUploadRefusalTests(string provider)
{
    private const long MaxSize = 4 * 1024 * 1024;
    private HoomiApiFactory _factory = null!;
    private MediaScene _scene = null!;

    [OneTimeSetUp]
    public async Task StartApi()
    {
        _factory = HoomiApiFactory.OnPostgres(StorageEmulators.SettingsFor(
            provider, new Dictionary<string, string?>
            {
                ["Hoomi:Media:MaxSize"] = MaxSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                // Any type is accepted by default; this suite checks the refusal of an operator's restricted list.
                ["Hoomi:Media:AllowedMimeTypes:0"] = "image/*",
                ["Hoomi:Media:AllowedMimeTypes:1"] = "application/octet-stream",
            }));
        _scene = await MediaScene.CreateAsync(_factory);
    }

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    [TearDown]
    public async Task Nothing_is_left_behind()
    {
        // A client that disconnected may still be being cleaned up after for a moment.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        List<string> blobs;
        while ((blobs = await StoredBlobsAsync()).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.That(blobs, Is.Empty, "a refused upload left blobs behind");
        await using var conn = new NpgsqlConnection(_factory.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT (SELECT count(*) FROM media) + (SELECT count(*) FROM wrapped_keys)", conn);
        Assert.That((long)(await cmd.ExecuteScalarAsync())!, Is.Zero, "a refused upload left rows behind");
    }

    /// <summary>Every file under the blob root (temporary ones included) on the filesystem; what the store lists under <c>media/</c> on the others.</summary>
    private async Task<List<string>> StoredBlobsAsync()
    {
        if (provider == "FileSystem")
        {
            return [.. Directory.GetFiles(_factory.BlobRoot, "*", SearchOption.AllDirectories)];
        }

        var keys = new List<string>();
        await foreach (var blob in _factory.Services.GetRequiredService<IBlobStore>().ListAsync("media/", CancellationToken.None))
        {
            keys.Add(blob.Key);
        }

        return keys;
    }

    private async Task<JsonObject> Refused(HttpContent content, HttpStatusCode expected, string? type = null, ApiClient? who = null)
    {
        var response = await (who ?? _scene.Alice).Http.PostAsync($"/hoomis/{_scene.HoomiId}/media", content);
        Assert.That(response.StatusCode, Is.EqualTo(expected), await response.Content.ReadAsStringAsync());
        var problem = await ApiClient.ProblemOf(response);
        if (type is not null)
        {
            Assert.That(problem["type"]!.GetValue<string>(), Is.EqualTo("urn:hoomi:problem:" + type));
        }

        return problem;
    }

    private Task<JsonObject> Refused(MediaUpload upload, HttpStatusCode expected, string? type = null) => Refused(upload.ToContent(), expected, type);

    private MediaUpload OnePass()
    {
        var upload = _scene.NewUpload();
        upload.TrailingSeal = true;
        upload.Sender = _scene.AliceKey;
        return upload;
    }

    [Test]
    public async Task A_seal_whose_hash_is_not_the_stored_files_is_422()
    {
        var upload = OnePass();
        upload.EditSeal = s => s["sha256"] = MediaUpload.Sha256Hex([1, 2, 3]);
        await Refused(upload, (HttpStatusCode)422, "hash-mismatch");
    }

    [Test]
    public async Task A_one_pass_upload_without_its_seal_part_is_400()
    {
        var upload = OnePass();
        upload.SendSealPart = false;
        var problem = await Refused(upload, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!["seal"], Is.Not.Null);
    }

    [Test]
    public async Task A_seal_part_without_trailing_seal_in_metadata_is_400()
    {
        var upload = OnePass();
        upload.EditMetadata = m =>
        {
            m.Remove("trailingSeal");
            m["sha256"] = MediaUpload.Sha256Hex(upload.Ciphertext);
            m["signature"] = upload.Seal()["signature"]!.GetValue<string>();
        };
        var problem = await Refused(upload, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!["seal"], Is.Not.Null);
    }

    [TestCase("sha256")]
    [TestCase("signature")]
    public async Task A_one_pass_upload_that_also_declares_the_field_in_metadata_is_400(string field)
    {
        var upload = OnePass();
        upload.EditMetadata = m => m[field] = upload.Seal()[field]!.GetValue<string>();
        var problem = await Refused(upload, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]![field], Is.Not.Null);
    }

    [TestCase("not json", "seal")]
    [TestCase("{\"sha256\": 5}", "seal")]
    [TestCase("{\"sha256\": \"ABC\"}", "seal.sha256")]
    [TestCase("{}", "seal.sha256")]
    public async Task A_malformed_seal_is_400(string seal, string field)
    {
        var upload = OnePass();
        upload.SendSealPart = false;
        var content = upload.ToContent();
        content.Add(new StringContent(seal, Encoding.UTF8, "application/json"), "seal");
        var problem = await Refused(content, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]![field], Is.Not.Null);
    }

    [Test]
    public async Task A_seal_without_the_signature_its_sender_key_promises_is_400()
    {
        var upload = OnePass();
        upload.EditSeal = s => s.Remove("signature");
        var problem = await Refused(upload, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!["seal.signature"], Is.Not.Null);
    }

    [Test]
    public async Task A_part_after_the_seal_is_400()
    {
        var upload = OnePass();
        var content = upload.ToContent();
        content.Add(new ByteArrayContent([1, 2, 3]), "extra", "extra");
        var problem = await Refused(content, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!["seal"], Is.Not.Null);
    }

    [Test]
    public async Task A_body_that_is_not_multipart_is_415()
    {
        var json = new StringContent(_scene.NewUpload().Metadata().ToJsonString(), Encoding.UTF8, "application/json");
        await Refused(json, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Test]
    public async Task Parts_out_of_order_are_400()
    {
        var upload = _scene.NewUpload();
        var content = new MultipartFormDataContent
        {
            { new ByteArrayContent(upload.Ciphertext), "file", "blob" },
            { new StringContent(upload.Metadata().ToJsonString()), "metadata" },
        };
        var problem = await Refused(content, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!["metadata"], Is.Not.Null);
    }

    [Test]
    public async Task A_missing_file_part_is_400()
    {
        var content = new MultipartFormDataContent { { new StringContent(_scene.NewUpload().Metadata().ToJsonString()), "metadata" } };
        var problem = await Refused(content, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!["file"], Is.Not.Null);
    }

    [TestCase("this is not json")]
    [TestCase("{\"mediaId\": ")]
    [TestCase("{\"size\": \"big\"}")]
    [TestCase("[]")]
    public async Task Metadata_that_is_not_json_of_the_right_shape_is_400(string metadata)
    {
        var content = new MultipartFormDataContent
        {
            { new StringContent(metadata), "metadata" },
            { new ByteArrayContent(MediaUpload.FakeCiphertext(10)), "file", "blob" },
        };
        var problem = await Refused(content, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!["metadata"], Is.Not.Null);
    }

    [Test]
    public async Task Metadata_with_missing_fields_lists_every_field_at_fault()
    {
        var content = new MultipartFormDataContent
        {
            { new StringContent("{}"), "metadata" },
            { new ByteArrayContent(MediaUpload.FakeCiphertext(10)), "file", "blob" },
        };
        var errors = (await Refused(content, HttpStatusCode.BadRequest, "validation"))["errors"]!.AsObject();
        Assert.That(errors.Select(e => e.Key), Is.SupersetOf(new[] { "mediaId", "mimeType", "size", "sha256", "wrappedKeys" }));
    }

    [Test]
    public async Task A_declared_size_larger_than_the_file_is_422()
    {
        var upload = _scene.NewUpload();
        upload.EditMetadata = m => m["size"] = upload.Ciphertext.Length + 16 + 65536;
        await Refused(upload, (HttpStatusCode)422, "size-mismatch");
    }

    [Test]
    public async Task A_declared_size_smaller_than_the_file_is_422()
    {
        var upload = _scene.NewUpload();
        upload.Ciphertext = MediaUpload.FakeCiphertext(200_000);
        upload.EditMetadata = m => m["size"] = MediaUpload.FakeCiphertext(1000).Length;
        await Refused(upload, (HttpStatusCode)422, "size-mismatch");
    }

    [Test]
    public async Task A_hash_that_is_not_the_files_is_422()
    {
        var upload = _scene.NewUpload();
        upload.EditMetadata = m => m["sha256"] = new string('a', 64);
        await Refused(upload, (HttpStatusCode)422, "hash-mismatch");
    }

    [Test]
    public async Task A_body_cut_off_inside_the_file_part_is_400_upload_interrupted()
    {
        var upload = _scene.NewUpload();
        upload.Ciphertext = MediaUpload.FakeCiphertext(300_000);
        var full = await upload.ToContent().ReadAsByteArrayAsync();
        var truncated = new ByteArrayContent(full[..(full.Length / 2)]);
        truncated.Headers.ContentType = MediaTypeHeaderValue.Parse(upload.ToContent().Headers.ContentType!.ToString());
        // The boundary differs between two ToContent() calls: take it from the bytes actually sent.
        var boundary = Encoding.ASCII.GetString(full, 2, full.AsSpan().IndexOf((byte)'\r') - 2);
        truncated.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary=\"{boundary}\"");
        await Refused(truncated, HttpStatusCode.BadRequest, "upload-interrupted");
    }

    [Test]
    public async Task A_client_that_disconnects_mid_upload_leaves_nothing_behind()
    {
        var upload = _scene.NewUpload();
        upload.Ciphertext = MediaUpload.FakeCiphertext(3 * 1024 * 1024);
        var failing = new FailingStream(new MemoryStream(upload.Ciphertext), failAfter: 1024 * 1024);
        Assert.That(async () => await _scene.Alice.Http.PostAsync($"/hoomis/{_scene.HoomiId}/media", upload.ToContent(failing)), Throws.Exception);
    }

    [Test]
    public async Task A_file_without_the_hme1_magic_is_400()
    {
        var upload = _scene.NewUpload();
        upload.Ciphertext[0] = (byte)'X';
        var problem = await Refused(upload, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!["file"]![0]!.GetValue<string>(), Does.Contain("magic"));
    }

    [TestCase(4, (byte)3, "version")] // version 2 (hoomi-e2ee-2) is known now; 3 is not
    [TestCase(5, (byte)0x02, "flags")]
    [TestCase(6, (byte)11, "segment size")]
    [TestCase(7, (byte)1, "reserved")]
    public async Task A_file_with_a_bad_header_field_is_400(int offset, byte value, string mentions)
    {
        var upload = _scene.NewUpload();
        upload.Ciphertext[offset] = value;
        var problem = await Refused(upload, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!["file"]![0]!.GetValue<string>(), Does.Contain(mentions));
    }

    [Test]
    public async Task A_length_no_plaintext_length_explains_is_400()
    {
        var upload = _scene.NewUpload();
        // One full segment followed by an empty last segment: a length e2ee.md rules out.
        var bytes = MediaUpload.FakeCiphertext(65536);
        upload.Ciphertext = [.. bytes, .. new byte[16]];
        await Refused(upload, HttpStatusCode.BadRequest, "validation");
    }

    [Test]
    public async Task A_mime_type_outside_the_allow_list_is_415()
    {
        var upload = _scene.NewUpload();
        upload.MimeType = "application/x-msdownload";
        var problem = await Refused(upload, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        Assert.That(problem["errors"]!["mimeType"], Is.Not.Null);
    }

    [Test]
    public async Task A_declared_size_above_the_limit_is_413()
    {
        var upload = _scene.NewUpload();
        upload.Ciphertext = MediaUpload.FakeCiphertext(MaxSize + 1);
        await Refused(upload, HttpStatusCode.RequestEntityTooLarge, "too-large");
    }

    [Test]
    public async Task A_missing_wrapped_key_is_409_naming_the_missing_key_ids()
    {
        var upload = MediaUpload.For(_scene.AliceKey);
        var problem = await Refused(upload, HttpStatusCode.Conflict, "wrapped-keys-out-of-date");
        Assert.That(problem["missingKeyIds"]!.AsArray().Select(k => k!.GetValue<string>()), Is.EqualTo(new[] { _scene.BobKey.KeyId }));
    }

    [Test]
    public async Task A_wrapped_key_for_an_unknown_device_key_is_400()
    {
        var upload = MediaUpload.For(_scene.AliceKey, _scene.BobKey, TestDeviceKey.Generate());
        var problem = await Refused(upload, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!["wrappedKeys"], Is.Not.Null);
    }

    [TestCase("enc", "AAAA")]
    [TestCase("enc", "padded==")]
    [TestCase("wrappedKey", "short")]
    [TestCase("wrappedKey", null)]
    [TestCase("recipientKeyId", "not/base64url+")]
    public async Task A_malformed_wrapped_key_is_400(string field, string? value)
    {
        var upload = _scene.NewUpload();
        upload.EditMetadata = m => m["wrappedKeys"]![0]![field] = value;
        var problem = await Refused(upload, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Has.Some.StartsWith("wrappedKeys"));
    }

    [Test]
    public async Task An_enc_that_is_not_a_curve_point_is_400()
    {
        var upload = _scene.NewUpload();
        byte[] offCurve = [0x04, .. Enumerable.Repeat((byte)1, 64)];
        upload.EditMetadata = m => m["wrappedKeys"]![0]!["enc"] = Base64Url.Encode(offCurve);
        await Refused(upload, HttpStatusCode.BadRequest, "validation");
    }

    [TestCase("not-a-guid")]
    [TestCase("0193f2a4-1234-4abc-8def-0123456789ab")]
    [TestCase("0193F2A4-1234-7ABC-8DEF-0123456789AB")]
    public async Task A_media_id_that_is_not_a_canonical_uuidv7_is_400(string id)
    {
        var upload = _scene.NewUpload();
        upload.EditMetadata = m => m["mediaId"] = id;
        var problem = await Refused(upload, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!["mediaId"], Is.Not.Null);
    }

    [Test]
    public async Task An_outsider_cannot_upload_and_learns_nothing()
    {
        await Refused(_scene.NewUpload().ToContent(), HttpStatusCode.NotFound, "not-found", _scene.Mallory);
    }

    [Test]
    public async Task A_declared_thumbnail_that_does_not_come_is_400()
    {
        var upload = _scene.NewUpload();
        upload.EditMetadata = m => m["thumbnail"] = new JsonObject { ["size"] = 200, ["sha256"] = new string('b', 64) };
        var problem = await Refused(upload, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!["thumbnail"], Is.Not.Null);
    }

    [Test]
    public async Task A_thumbnail_part_that_was_not_declared_is_400()
    {
        var upload = _scene.NewUpload();
        upload.Thumbnail = MediaUpload.FakeCiphertext(10);
        upload.EditMetadata = m => m.Remove("thumbnail");
        await Refused(upload, HttpStatusCode.BadRequest, "validation");
    }

    [Test]
    public async Task A_thumbnail_above_256_kib_is_413()
    {
        var upload = _scene.NewUpload();
        upload.Thumbnail = MediaUpload.FakeCiphertext(300 * 1024);
        await Refused(upload, HttpStatusCode.RequestEntityTooLarge, "too-large");
    }

    [Test]
    public async Task A_thumbnail_whose_hash_is_not_the_declared_one_is_422_and_the_file_is_removed_too()
    {
        var upload = _scene.NewUpload();
        upload.Thumbnail = MediaUpload.FakeCiphertext(10);
        upload.EditMetadata = m => m["thumbnail"]!["sha256"] = new string('c', 64);
        await Refused(upload, (HttpStatusCode)422, "hash-mismatch");
    }

    /// <summary>Stands for a client whose connection breaks: reading past a point throws.</summary>
    private sealed class FailingStream(Stream inner, long failAfter) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_read >= failAfter)
            {
                throw new IOException("connection reset (simulated)");
            }

            var n = inner.Read(buffer, offset, (int)Math.Min(count, failAfter - _read));
            _read += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
