using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Api.Tests.Media;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hoomi.Api.Tests.Events;

/// <summary>
/// The transactional outbox (PostgreSQL): every event's journal row commits with its change, whatever happens to
/// the live delivery afterwards, and catch-up (<c>GET /hoomis/{id}/events</c>) returns it.
/// </summary>
public sealed class EventOutboxTests
{
    /// <summary>A notifier whose delivery always fails, and which checks, from a connection of its own, that the row it is handed is committed.</summary>
    private sealed class ThrowingNotifier(IServiceScopeFactory scopes) : IMediaNotifier
    {
        public List<(HoomiEvent Entry, bool CommittedBefore)> Calls { get; } = [];

        public async Task PublishAsync(HoomiEvent committed, CancellationToken cancellationToken)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IHoomiDbContext>();
            var visible = await db.HoomiEvents.AsNoTracking()
                .AnyAsync(e => e.HoomiId == committed.HoomiId && e.Sequence == committed.Sequence, cancellationToken);
            lock (Calls)
            {
                Calls.Add((committed, visible));
            }

            throw new InvalidOperationException("the hub is down");
        }
    }

    /// <summary>Delivers nothing, like the default where no realtime channel is wired.</summary>
    private sealed class SilentNotifier : IMediaNotifier
    {
        public Task PublishAsync(HoomiEvent committed, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static async Task<JsonArray> EventsAsync(ApiClient who, Guid hoomiId)
    {
        var response = await who.Http.GetAsync($"/hoomis/{hoomiId}/events?after=0");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
    }

    [Test]
    public async Task Every_event_is_journalled_even_when_live_delivery_throws_and_catch_up_returns_it()
    {
        ThrowingNotifier? notifier = null;
        using var factory = HoomiApiFactory.OnPostgres(testServices: services =>
            services.Replace(ServiceDescriptor.Singleton<IMediaNotifier>(sp => notifier = new ThrowingNotifier(sp.GetRequiredService<IServiceScopeFactory>()))));
        var scene = await MediaScene.CreateAsync(factory);

        var upload = scene.NewUpload();
        await scene.UploadAsync(scene.Bob, upload);
        var delete = await scene.Bob.Http.DeleteAsync($"/media/{upload.MediaId}");
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await delete.Content.ReadAsStringAsync());
        var restore = await scene.Bob.Http.PostAsync($"/media/{upload.MediaId}/restore", null);
        Assert.That(restore.StatusCode, Is.EqualTo(HttpStatusCode.OK), await restore.Content.ReadAsStringAsync());
        var leave = await scene.Bob.Http.DeleteAsync($"/hoomis/{scene.HoomiId}/members/{scene.Bob.UserId}");
        Assert.That(leave.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await leave.Content.ReadAsStringAsync());

        var items = await EventsAsync(scene.Alice, scene.HoomiId);
        Assert.That(items.Select(i => i!["type"]!.GetValue<string>()), Is.EqualTo(new[]
        {
            "MemberAdded", "MemberAdded", "MediaUploaded", "MediaDeleted", "MediaUploaded", "MemberRemoved",
        }), "the creator, bob, the upload, the delete, the restore, bob leaving");
        Assert.That(items.Select(i => i!["cursor"]!.GetValue<string>()), Is.EqualTo(new[] { "1", "2", "3", "4", "5", "6" }));
        Assert.That(items[2]!["mediaId"]!.GetValue<string>(), Is.EqualTo(upload.MediaId.ToString()));
        Assert.That(items[5]!["userId"]!.GetValue<string>(), Is.EqualTo(scene.Bob.UserId.ToString()));

        Assert.That(notifier, Is.Not.Null);
        List<(HoomiEvent Entry, bool CommittedBefore)> ofThisHoomi;
        lock (notifier!.Calls)
        {
            ofThisHoomi = notifier.Calls.Where(c => c.Entry.HoomiId == scene.HoomiId).ToList();
        }

        Assert.That(ofThisHoomi, Is.Not.Empty);
        Assert.That(ofThisHoomi.Select(c => c.Entry.Sequence).Distinct(), Is.EqualTo(new long[] { 1 }),
            "the first row failed, so every later dispatch retried it first and held the rest back behind it");
        Assert.That(ofThisHoomi.All(c => c.CommittedBefore), "each row was committed (visible to another connection) before its dispatch");
        Assert.That(await UndispatchedAsync(factory, scene.HoomiId), Is.EqualTo(new long[] { 1, 2, 3, 4, 5, 6 }), "none was marked dispatched");
    }

    /// <summary>Fails while <see cref="Down"/>, like a hub whose backplane is away; records what it delivered.</summary>
    private sealed class FlakyNotifier : IMediaNotifier
    {
        public volatile bool Down = true;

        public List<HoomiEvent> Delivered { get; } = [];

        public Task PublishAsync(HoomiEvent committed, CancellationToken cancellationToken)
        {
            if (Down)
            {
                throw new InvalidOperationException("the hub is down");
            }

            lock (Delivered)
            {
                Delivered.Add(committed);
            }

            return Task.CompletedTask;
        }
    }

    private static async Task<long[]> UndispatchedAsync(HoomiApiFactory factory, Guid hoomiId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IHoomiDbContext>();
        return await db.HoomiEvents.AsNoTracking().Where(e => e.HoomiId == hoomiId && e.DispatchedAt == null)
            .OrderBy(e => e.Sequence).Select(e => e.Sequence).ToArrayAsync();
    }

    [Test]
    public async Task Rows_whose_send_failed_are_sent_by_the_background_dispatcher_in_order_once_the_hub_is_back()
    {
        var notifier = new FlakyNotifier();
        using var factory = HoomiApiFactory.OnPostgres(
            new Dictionary<string, string?>
            {
                ["Hoomi:Events:RedispatchInterval"] = "00:00:00.200",
                ["Hoomi:Events:RedispatchAfter"] = "00:00:00",
            },
            services => services.Replace(ServiceDescriptor.Singleton<IMediaNotifier>(notifier)));
        var scene = await MediaScene.CreateAsync(factory);
        var uploads = Enumerable.Range(0, 3).Select(_ => scene.NewUpload()).ToList();
        foreach (var upload in uploads)
        {
            await scene.UploadAsync(scene.Alice, upload);
        }

        Assert.That(await UndispatchedAsync(factory, scene.HoomiId), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }));

        notifier.Down = false;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await UndispatchedAsync(factory, scene.HoomiId)).Length > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.That(await UndispatchedAsync(factory, scene.HoomiId), Is.Empty, "all marked dispatched");
        List<HoomiEvent> delivered;
        lock (notifier.Delivered)
        {
            delivered = notifier.Delivered.Where(e => e.HoomiId == scene.HoomiId).ToList();
        }

        Assert.That(delivered.Select(e => e.Sequence), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }), "each once, in order");
        Assert.That(delivered.Skip(2).Select(e => e.Type), Is.All.EqualTo("MediaUploaded"));
    }

    [Test]
    public async Task With_no_live_channel_the_journal_rows_are_still_written()
    {
        using var factory = HoomiApiFactory.OnPostgres(testServices: services =>
            services.Replace(ServiceDescriptor.Singleton<IMediaNotifier, SilentNotifier>()));
        var scene = await MediaScene.CreateAsync(factory);
        var upload = scene.NewUpload();
        await scene.UploadAsync(scene.Alice, upload);

        var items = await EventsAsync(scene.Bob, scene.HoomiId);
        Assert.That(items.Select(i => i!["type"]!.GetValue<string>()), Is.EqualTo(new[] { "MemberAdded", "MemberAdded", "MediaUploaded" }));
        Assert.That(items[2]!["mediaId"]!.GetValue<string>(), Is.EqualTo(upload.MediaId.ToString()));
    }

    [Test]
    public async Task Concurrent_uploads_to_one_hoomi_get_gapless_distinct_cursors()
    {
        using var factory = HoomiApiFactory.OnPostgres(testServices: services =>
            services.Replace(ServiceDescriptor.Singleton<IMediaNotifier, SilentNotifier>()));
        var scene = await MediaScene.CreateAsync(factory);
        var uploads = Enumerable.Range(0, 8).Select(_ => scene.NewUpload()).ToList();
        await Task.WhenAll(uploads.Select(u => scene.UploadAsync(scene.Alice, u)));

        var items = await EventsAsync(scene.Alice, scene.HoomiId);
        Assert.That(items.Select(i => i!["cursor"]!.GetValue<string>()), Is.EqualTo(Enumerable.Range(1, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.That(items.Skip(2).Select(i => Guid.Parse(i!["mediaId"]!.GetValue<string>())), Is.EquivalentTo(uploads.Select(u => u.MediaId)));
    }
}
