using System.Net;
using Hoomi.Client;
using Hoomi.Client.Api;
using Hoomi.EndToEnd.Tests.Infrastructure;

namespace Hoomi.EndToEnd.Tests;

/// <summary>Thumbnails and forwarding, in the scene of <see cref="SdkEndToEndTests"/> (Alice and Bob in Family).</summary>
public sealed partial class SdkEndToEndTests
{
    [Test]
    public async Task A_thumbnail_round_trips_under_the_same_file_key()
    {
        var thumbnail = Plaintext.WithMarker(40_000, "THUMB-MARKER");
        using var content = new MemoryStream(Plaintext.WithMarker(200_000, "WITH-THUMB"));
        var media = await _alice.Client.UploadAsync(_family, content, new UploadOptions("clip.mp4", "video/mp4") { Thumbnail = thumbnail });

        var downloaded = await _bob.Client.DownloadThumbnailAsync(media.Id);
        using var viaStream = new MemoryStream();
        var written = await _bob.Client.DownloadThumbnailAsync(media.Id, viaStream);

        Assert.That(media.HasThumbnail, Is.True);
        Assert.That(downloaded, Is.EqualTo(thumbnail));
        Assert.That((written, viaStream.ToArray()), Is.EqualTo((thumbnail.Length, thumbnail)));
        // An outsider gets nothing, and an item without a thumbnail says so before any download.
        Assert.That(Assert.ThrowsAsync<HoomiApiException>(() => _carol.Client.DownloadThumbnailAsync(media.Id))!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var (plain, _) = await UploadAsync(_alice, _family, Plaintext.WithMarker(1_000, "NO-THUMB"));
        Assert.ThrowsAsync<HoomiClientException>(() => _bob.Client.DownloadThumbnailAsync(plain.Id));
    }

    [Test]
    public async Task The_largest_thumbnail_the_sdk_accepts_is_one_the_server_accepts()
    {
        var largest = Plaintext.WithMarker(UploadOptions.MaxThumbnailBytes, "BIG-THUMB");
        using (var content = new MemoryStream(Plaintext.WithMarker(1_000, "X")))
        {
            var media = await _alice.Client.UploadAsync(_family, content, new UploadOptions("a.jpg", "image/jpeg") { ThumbnailStream = new MemoryStream(largest) });
            Assert.That(await _bob.Client.DownloadThumbnailAsync(media.Id), Is.EqualTo(largest));
        }

        _alice.Handler.Reset();
        using var again = new MemoryStream(Plaintext.WithMarker(1_000, "Y"));
        var tooLarge = new UploadOptions("b.jpg", "image/jpeg") { Thumbnail = new byte[UploadOptions.MaxThumbnailBytes + 1] };
        Assert.ThrowsAsync<HoomiClientException>(() => _alice.Client.UploadAsync(_family, again, tooLarge));
        Assert.That(_alice.Handler.Requests.Where(r => r.StartsWith("POST", StringComparison.Ordinal)), Is.Empty, "refused before sending anything");
    }

    [Test]
    public async Task A_forwarded_item_is_readable_with_its_name_and_thumbnail_by_a_member_of_the_target_only()
    {
        using var dave = await TestUser.CreateAsync(_api, "dave");
        var target = (await _alice.Client.CreateHoomiAsync("Forward target")).Id;
        await _alice.AddMemberAsync(target, dave);
        var plaintext = Plaintext.WithMarker(300_000, "FORWARD-MARKER");
        var thumbnail = Plaintext.WithMarker(5_000, "FORWARD-THUMB");
        using var content = new MemoryStream(plaintext);
        var source = await _alice.Client.UploadAsync(_family, content, new UploadOptions("forward-me.jpg", "image/jpeg") { Thumbnail = thumbnail });

        // Between Alice's read of the target's members and her forward, Dave registers a second device: the server
        // answers 409 and the SDK wraps again for the new key set.
        using var davesPhone = await dave.OnAnotherDeviceAsync(_api);
        var forwards = 0;
        _alice.Handler.BeforeSend = async request =>
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/forward", StringComparison.Ordinal) && ++forwards == 1)
            {
                await davesPhone.Client.RegisterDeviceKeyAsync();
            }
        };
        MediaInfo forwarded;
        try
        {
            forwarded = await _alice.Client.ForwardAsync(source.Id, target);
        }
        finally
        {
            _alice.Handler.BeforeSend = null;
        }

        using var onLaptop = new MemoryStream();
        var result = await dave.Client.DownloadAsync(forwarded.Id, onLaptop);
        using var onPhone = new MemoryStream();
        await davesPhone.Client.DownloadAsync(forwarded.Id, onPhone);

        Assert.That((forwarded.HoomiId, forwarded.Id == source.Id, forwards), Is.EqualTo((target, false, 2)));
        Assert.That(onLaptop.ToArray(), Is.EqualTo(plaintext));
        Assert.That(onPhone.ToArray(), Is.EqualTo(plaintext));
        Assert.That(result.Metadata?.Name, Is.EqualTo("forward-me.jpg"));
        Assert.That(await dave.Client.DownloadThumbnailAsync(forwarded.Id), Is.EqualTo(thumbnail));
        // The blob is shared, not copied.
        Assert.That(Directory.GetFiles(_api.BlobRoot, "*", SearchOption.AllDirectories).Count(f => f.Contains(forwarded.Id.ToString(), StringComparison.Ordinal)), Is.Zero);

        // Dave is not in Family: the original stays closed to him; Bob is not in the target: the copy stays closed to him.
        using var sink = new MemoryStream();
        Assert.That(Assert.ThrowsAsync<HoomiApiException>(() => dave.Client.DownloadAsync(source.Id, sink))!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(Assert.ThrowsAsync<HoomiApiException>(() => _bob.Client.DownloadAsync(forwarded.Id, sink))!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(sink.Length, Is.Zero);
    }

    [Test]
    public async Task A_subscription_from_a_cursor_delivers_what_came_after_it_then_live_events_each_once()
    {
        var hoomi = (await _alice.Client.CreateHoomiAsync("Catch-up")).Id;
        var cursor = (await _alice.Client.ListEventsAsync(hoomi)).Items[^1].Cursor; // the creator's MemberAdded
        var (first, _) = await UploadAsync(_alice, hoomi, Plaintext.WithMarker(1_000, "CATCH-1"));
        var (second, _) = await UploadAsync(_alice, hoomi, Plaintext.WithMarker(1_000, "CATCH-2"));
        var delivered = new List<HoomiEvent>();
        var saved = new List<string>();
        var heardThird = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Guid? third = null;

        var subscription = await _alice.Client.SubscribeAsync(e =>
        {
            lock (delivered)
            {
                delivered.Add(e);
                if (third is not null && e.MediaId == third)
                {
                    heardThird.TrySetResult();
                }
            }

            return Task.CompletedTask;
        }, new SubscribeOptions
        {
            CatchUp = new Dictionary<Guid, string?> { [hoomi] = cursor },
            OnlyCatchUpHoomis = true,
            OnCursor = (_, c) => saved.Add(c),
        });
        await using (subscription)
        {
            List<HoomiEvent> caughtUp;
            lock (delivered)
            {
                caughtUp = [.. delivered];
            }

            var (media, _) = await UploadAsync(_alice, hoomi, Plaintext.WithMarker(1_000, "CATCH-3"));
            lock (delivered)
            {
                third = media.Id;
                if (delivered.Any(e => e.MediaId == third))
                {
                    heardThird.TrySetResult();
                }
            }

            await heardThird.Task.WaitAsync(TimeSpan.FromSeconds(10));

            // Catch-up happened before SubscribeAsync returned, in journal order, before any live event.
            Assert.That(caughtUp.Select(e => (e.Name, e.MediaId, e.CaughtUp)), Is.EqualTo(new[] { ("MediaUploaded", (Guid?)first.Id, true), ("MediaUploaded", (Guid?)second.Id, true) }));
            lock (delivered)
            {
                Assert.That(delivered.Select(e => e.MediaId), Is.EqualTo(new Guid?[] { first.Id, second.Id, media.Id }));
                Assert.That(delivered[^1].CaughtUp, Is.False);
                Assert.That(subscription.Cursors[hoomi], Is.EqualTo(delivered[^1].Cursor).And.Not.Null);
                Assert.That(saved, Is.EqualTo(delivered.Select(e => e.Cursor)));
            }
        }
    }

    [Test]
    public async Task A_subscription_from_now_delivers_nothing_older_and_starts_after_the_newest_event()
    {
        var hoomi = (await _alice.Client.CreateHoomiAsync("From now")).Id;
        await UploadAsync(_alice, hoomi, Plaintext.WithMarker(1_000, "BEFORE-1"));
        await UploadAsync(_alice, hoomi, Plaintext.WithMarker(1_000, "BEFORE-2"));
        var newest = (await _alice.Client.ListEventsAsync(hoomi)).Items[^1].Cursor;
        var delivered = new List<HoomiEvent>();
        var saved = new List<string>();
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var subscription = await _alice.Client.SubscribeAsync(e =>
        {
            lock (delivered)
            {
                delivered.Add(e);
            }

            heard.TrySetResult();
            return Task.CompletedTask;
        }, new SubscribeOptions
        {
            CatchUp = new Dictionary<Guid, string?> { [hoomi] = null },
            OnlyCatchUpHoomis = true,
            OnCursor = (_, c) => saved.Add(c),
        });
        await using (subscription)
        {
            List<string> savedAtStart;
            lock (delivered)
            {
                Assert.That(delivered, Is.Empty, "nothing from before the subscription");
                savedAtStart = [.. saved];
            }

            var (after, _) = await UploadAsync(_alice, hoomi, Plaintext.WithMarker(1_000, "AFTER"));
            await heard.Task.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.That(savedAtStart, Is.EqualTo(new[] { newest }), "the starting position is the newest event's cursor");
            lock (delivered)
            {
                Assert.That(delivered.Select(e => (e.Name, e.MediaId, e.CaughtUp)), Is.EqualTo(new[] { ("MediaUploaded", (Guid?)after.Id, false) }));
                Assert.That(long.Parse(delivered[0].Cursor!, System.Globalization.CultureInfo.InvariantCulture),
                    Is.EqualTo(long.Parse(newest!, System.Globalization.CultureInfo.InvariantCulture) + 1));
            }
        }
    }
}
