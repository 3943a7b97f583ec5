using System.Net;
using System.Text;
using Hoomi.Client;
using Hoomi.Client.Api;
using Hoomi.Client.Crypto;
using Hoomi.EndToEnd.Tests.Infrastructure;

namespace Hoomi.EndToEnd.Tests;

/// <summary>
/// Two members (Alice and Bob, one device key each) of one hoomi and an outsider (Carol), all through the SDK
/// against the real API over PostgreSQL and the filesystem blob store.
/// </summary>
[TestFixture]
public sealed partial class SdkEndToEndTests
{
    private ApiHost _api = null!;
    private TestUser _alice = null!;
    private TestUser _bob = null!;
    private TestUser _carol = null!;
    private Guid _family;

    [OneTimeSetUp]
    public async Task SetUpScene()
    {
        _api = ApiHost.Start();
        _alice = await TestUser.CreateAsync(_api, "alice");
        _bob = await TestUser.CreateAsync(_api, "bob");
        _carol = await TestUser.CreateAsync(_api, "carol");
        _family = (await _alice.Client.CreateHoomiAsync("Family")).Id;
        await _alice.AddMemberAsync(_family, _bob);
    }

    [OneTimeTearDown]
    public void TearDownScene()
    {
        foreach (var user in new[] { _alice, _bob, _carol })
        {
            user?.Dispose();
        }

        _api?.Dispose();
    }

    private static async Task<(MediaInfo Media, byte[] Plaintext)> UploadAsync(TestUser user, Guid hoomiId, byte[] plaintext, string name = "photo.jpg", string mimeType = "image/jpeg")
    {
        using var content = new MemoryStream(plaintext);
        var media = await user.Client.UploadAsync(hoomiId, content, new UploadOptions(name, mimeType));
        return (media, plaintext);
    }

    private string BlobOf(Guid mediaId)
    {
        var files = Directory.GetFiles(_api.BlobRoot, "*", SearchOption.AllDirectories).Where(f => f.Contains(mediaId.ToString(), StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.That(files, Has.Count.EqualTo(1), "the blob of " + mediaId);
        return files[0];
    }

    [Test]
    public async Task Member_downloads_the_identical_bytes_the_uploader_sent()
    {
        var (media, plaintext) = await UploadAsync(_alice, _family, Plaintext.WithMarker(700_000, "ROUND-TRIP-MARKER"), "beach.jpg");

        using var downloaded = new MemoryStream();
        var result = await _bob.Client.DownloadAsync(media.Id, downloaded);

        Assert.That(downloaded.ToArray(), Is.EqualTo(plaintext));
        Assert.That(result.Metadata, Is.EqualTo(new MediaMetadata("beach.jpg", "image/jpeg", plaintext.Length)));
        Assert.That(media.Size, Is.EqualTo(Hme1Format.CiphertextLengthV2(Hme1Format.Padme(plaintext.Length), 1 << 16)), "padded to its Padmé bucket");
        Assert.That(result.Sender.IsSigned, Is.True);
        Assert.That(result.Sender.UserId, Is.EqualTo(media.UploaderId));
    }

    [TestCase(0)]
    [TestCase(3_000_000)]
    public async Task An_upload_reads_its_plaintext_once_and_a_file_that_changes_meanwhile_is_refused(int length)
    {
        // One pass: no encrypt-to-hash-then-encrypt-again; the hash and signature follow the ciphertext (seal part).
        var plaintext = Plaintext.WithMarker(Math.Max(length, 64), "ONE-PASS")[..length];
        await using var counting = new CountingStream(plaintext);
        var media = await _alice.Client.UploadAsync(_family, counting, new UploadOptions("clip.bin", "application/octet-stream"));
        Assert.That(counting.BytesRead, Is.EqualTo(length), "every plaintext byte is read exactly once");
        using var downloaded = new MemoryStream();
        var result = await _bob.Client.DownloadAsync(media.Id, downloaded);
        Assert.That(downloaded.ToArray(), Is.EqualTo(plaintext));
        Assert.That(result.Sender.IsSigned, Is.True, "the seal's signature verifies");

        if (length > 0)
        {
            // The length was promised up front: a file that grows while it is read breaks the body off, nothing is stored.
            await using var growing = new CountingStream(plaintext) { GrowBy = 70_000 };
            var before = (await _bob.Client.ListMediaAsync(_family, limit: 100)).Items.Count;
            Assert.That(async () => await _alice.Client.UploadAsync(_family, growing, new UploadOptions("grows.bin", "application/octet-stream")),
                Throws.InstanceOf<Exception>());
            Assert.That((await _bob.Client.ListMediaAsync(_family, limit: 100)).Items, Has.Count.EqualTo(before));
        }
    }

    /// <summary>A seekable read stream over bytes that counts what is read; <see cref="GrowBy"/> makes it longer than its Length said.</summary>
    private sealed class CountingStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data, writable: false);
        private int _grown;

        public long BytesRead { get; private set; }

        public int GrowBy { get; init; }

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => _inner.Length;

        public override long Position { get => _inner.Position; set => _inner.Position = value; }

        public override int Read(Span<byte> buffer)
        {
            var n = _inner.Read(buffer);
            if (n == 0 && _grown < GrowBy)
            {
                n = Math.Min(buffer.Length, GrowBy - _grown);
                buffer[..n].Fill(0x42);
                _grown += n;
            }

            BytesRead += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    [Test]
    public async Task The_stored_blob_contains_none_of_the_plaintext()
    {
        var marker = "SECRET-MARKER-" + Guid.NewGuid().ToString("N");
        var (media, plaintext) = await UploadAsync(_alice, _family, Plaintext.WithMarker(300_000, marker));

        var blob = BlobOf(media.Id);

        Assert.That(new FileInfo(blob).Length, Is.EqualTo(media.Size));
        Assert.That(Plaintext.Contains(blob, Encoding.ASCII.GetBytes(marker)), Is.False, "the marker is in the stored blob");
        // The search itself works: the plaintext does contain the marker.
        Assert.That(plaintext.AsSpan().IndexOf(Encoding.ASCII.GetBytes(marker)), Is.GreaterThanOrEqualTo(0));
    }

    [Test]
    public async Task An_outsider_gets_404_for_the_media_its_info_and_its_keys()
    {
        var (media, _) = await UploadAsync(_alice, _family, Plaintext.WithMarker(10_000, "OUTSIDER"));

        using var sink = new MemoryStream();
        var download = Assert.ThrowsAsync<HoomiApiException>(() => _carol.Client.DownloadAsync(media.Id, sink));
        var range = Assert.ThrowsAsync<HoomiApiException>(() => _carol.Client.DownloadRangeAsync(media.Id, 0, 10, sink));
        var keys = Assert.ThrowsAsync<HoomiApiException>(() => _carol.Client.ShareKeysAsync(media.Id));

        Assert.That(new[] { download!.StatusCode, range!.StatusCode, keys!.StatusCode }, Is.All.EqualTo(HttpStatusCode.NotFound));
        Assert.That(sink.Length, Is.Zero);
    }

    [Test]
    public async Task A_range_in_the_middle_of_a_50_MiB_file_fetches_only_the_covering_segments()
    {
        var (media, plaintext) = await UploadAsync(_alice, _family, Plaintext.WithMarker(50 * 1024 * 1024, "RANGE"), "movie.mp4", "video/mp4");
        const long offset = (25L * 1024 * 1024) + 1000; // straddles a segment boundary on purpose
        const int count = 200_000;

        _bob.Handler.Reset();
        using var slice = new MemoryStream();
        var written = await _bob.Client.DownloadRangeAsync(media.Id, offset, count, slice);

        Assert.That(written, Is.EqualTo(count));
        Assert.That(slice.ToArray(), Is.EqualTo(plaintext.AsSpan((int)offset, count).ToArray()));
        const int segment = 1 << 16, stride = segment + 16;
        const long first = offset / segment, last = (offset + count - 1) / segment;
        var covering = (last - first + 1) * stride;
        var rangeRequests = _bob.Handler.Requests.Where(r => r.Contains("bytes=", StringComparison.Ordinal)).ToList();

        // The 96-byte header comes signed with the media's info: one request, for the covering segments only.
        Assert.That(rangeRequests, Is.EqualTo(new[] { $"GET /media/{media.Id} bytes={96 + (first * stride)}-{96 + (first * stride) + covering - 1}" }));
        // Body bytes: the /info JSON, the 72-byte header and exactly the covering segments (4 of 800), nothing of the rest.
        Assert.That(_bob.Handler.BodyBytes - covering - 72, Is.InRange(0, 4_000));

        // The header and size are kept: the next range of the same file is one request.
        _bob.Handler.Reset();
        await _bob.Client.DownloadRangeAsync(media.Id, 3 * segment, 10, Stream.Null);
        Assert.That(_bob.Handler.Requests, Is.EqualTo(new[] { $"GET /media/{media.Id} bytes={96 + (3 * stride)}-{96 + (4 * stride) - 1}" }));
    }

    [Test]
    public async Task Compressed_text_round_trips_and_is_stored_smaller()
    {
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 40_000).Select(i => $"line {i % 100}: the quick brown fox jumps over the lazy dog\n")));
        var (media, _) = await UploadAsync(_alice, _family, text, "notes.txt", "text/plain");

        using var downloaded = new MemoryStream();
        await _bob.Client.DownloadAsync(media.Id, downloaded);
        using var slice = new MemoryStream();
        await _bob.Client.DownloadRangeAsync(media.Id, 100_000, 50, slice);

        Assert.That(downloaded.ToArray(), Is.EqualTo(text));
        Assert.That(media.Size, Is.LessThan(text.Length / 10), "Brotli should shrink repetitive text");
        Assert.That(slice.ToArray(), Is.EqualTo(text.AsSpan(100_000, 50).ToArray()));
    }

    [Test]
    public async Task A_member_added_after_the_upload_reads_it_once_keys_are_shared()
    {
        var hoomi = (await _alice.Client.CreateHoomiAsync("Late joiners")).Id;
        var (media, plaintext) = await UploadAsync(_alice, hoomi, Plaintext.WithMarker(150_000, "LATE"));
        using var dave = await TestUser.CreateAsync(_api, "dave");
        await _alice.AddMemberAsync(hoomi, dave);

        using (var before = new MemoryStream())
        {
            Assert.ThrowsAsync<HoomiClientException>(() => dave.Client.DownloadAsync(media.Id, before));
        }

        var summary = await _alice.Client.ShareKeysForHoomiAsync(hoomi);
        var again = await _alice.Client.ShareKeysForHoomiAsync(hoomi);
        using var after = new MemoryStream();
        await dave.Client.DownloadAsync(media.Id, after);

        Assert.That(summary, Is.EqualTo(new ShareKeysSummary(MediaChecked: 1, MediaUpdated: 1, KeysAdded: 1, MediaWithoutOwnKey: 0)));
        Assert.That(again.KeysAdded, Is.Zero);
        Assert.That(after.ToArray(), Is.EqualTo(plaintext));
    }

    [Test]
    public async Task An_upload_racing_a_new_device_key_is_rewrapped_and_retried()
    {
        var hoomi = (await _alice.Client.CreateHoomiAsync("Race")).Id;
        await _alice.AddMemberAsync(hoomi, _bob);
        using var bobsPhone = await _bob.OnAnotherDeviceAsync(_api);
        var uploads = 0;
        _alice.Handler.BeforeSend = async request =>
        {
            if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/media", StringComparison.Ordinal) && ++uploads == 1)
            {
                // After Alice read the members, before her upload arrives: Bob registers his phone.
                await bobsPhone.Client.RegisterDeviceKeyAsync();
            }
        };
        try
        {
            var (media, plaintext) = await UploadAsync(_alice, hoomi, Plaintext.WithMarker(400_000, "RACE"));

            using var onPhone = new MemoryStream();
            await bobsPhone.Client.DownloadAsync(media.Id, onPhone);
            Assert.That(uploads, Is.EqualTo(2));
            Assert.That(onPhone.ToArray(), Is.EqualTo(plaintext));
        }
        finally
        {
            _alice.Handler.BeforeSend = null;
        }
    }

    [Test]
    public async Task A_subscribed_member_hears_of_an_upload()
    {
        var heard = new TaskCompletionSource<HoomiEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var connection = await _bob.Client.SubscribeAsync(e =>
        {
            if (e.Name == "MediaUploaded")
            {
                heard.TrySetResult(e);
            }

            return Task.CompletedTask;
        });
        await using (connection)
        {
            var (media, _) = await UploadAsync(_alice, _family, Plaintext.WithMarker(5_000, "LIVE"));

            var e = await heard.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.That((e.HoomiId, e.MediaId), Is.EqualTo((_family, (Guid?)media.Id)));
        }
    }

    [Test]
    public async Task An_unusable_access_token_is_refreshed_and_the_request_repeated()
    {
        var home = _bob.Client.Home;
        var session = home.LoadSession()!;
        home.SaveSession(session with { AccessToken = "not-a-token" });
        using var client = new HoomiClient(_api.BaseAddress, home);

        var me = await client.GetMeAsync();

        Assert.That(me.UserName, Is.EqualTo(_bob.Email));
        Assert.That(home.LoadSession()!.AccessToken, Is.Not.EqualTo("not-a-token"));
    }

    [Test]
    public async Task The_device_key_and_the_tokens_are_readable_by_their_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix file modes only.");
            return;
        }

        var home = _alice.Client.Home;
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

        var modes = new[] { File.GetUnixFileMode(home.DeviceKeyPath), File.GetUnixFileMode(home.SessionPath), File.GetUnixFileMode(home.Directory) };

        Assert.That(modes, Is.EqualTo(new[] { ownerOnly, ownerOnly, ownerOnly | UnixFileMode.UserExecute }));
        // The key the server knows is the public half of the one kept here.
        Assert.That((await _alice.Client.ListMyKeysAsync()).Select(k => k.PublicKey), Is.EqualTo(new[] { _alice.Client.DeviceKey.PublicKeyBase64Url }));
    }
}
