using System.Collections.Concurrent;
using System.Data.Common;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Application.Common.Interfaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Hoomi.Api.Tests.Media;

/// <summary>
/// The media list is keyset-paginated (issue 13, cost as the hoomi grows): the cursor becomes an upper bound on
/// created_at that the (hoomi_id, created_at, id) index can start from, never an OFFSET; pages walk every item exactly
/// once even when many items share one created_at (the id breaks ties), and uploads made while a client pages do not
/// shift the pages it has still to read.
/// </summary>
public sealed class ListKeysetPaginationTests
{
    private sealed class MediaQueries : DbCommandInterceptor
    {
        public ConcurrentQueue<string> Texts { get; } = new();

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("FROM media", StringComparison.Ordinal) || command.CommandText.Contains("FROM \"media\"", StringComparison.Ordinal))
            {
                Texts.Enqueue(command.CommandText);
            }

            return ValueTask.FromResult(result);
        }
    }

    [TestCase("Postgres")]
    [TestCase("Sqlite")]
    public async Task Pages_walk_every_item_once_in_order_through_ties_and_concurrent_uploads(string provider)
    {
        var queries = new MediaQueries();
        using var factory = provider == "Postgres"
            ? HoomiApiFactory.OnPostgres(testServices: services => services.AddSingleton<IInterceptor>(queries))
            : HoomiApiFactory.OnSqlite();
        var scene = await MediaScene.CreateAsync(factory);
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            var u = scene.NewUpload();
            await scene.UploadAsync(scene.Alice, u);
            ids.Add(u.MediaId);
        }

        // Five of the seven share one created_at: only the id orders them, across page boundaries (limit 2).
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IHoomiDbContext>();
            var tie = (await db.Media.AsNoTracking().SingleAsync(m => m.Id == ids[1])).CreatedAt;
            var tied = ids.Skip(1).Take(5).ToList();
            await db.Media.Where(m => tied.Contains(m.Id)).ExecuteUpdateAsync(s => s.SetProperty(m => m.CreatedAt, tie));
        }

        async Task<(List<Guid> Items, string? Next)> Page(int limit, string? cursor)
        {
            var url = $"/hoomis/{scene.HoomiId}/media?limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = (await scene.Bob.Http.GetFromJsonAsync<JsonObject>(url))!;
            return ([.. page["items"]!.AsArray().Select(i => Guid.Parse(i!["id"]!.GetValue<string>()))], page["nextCursor"]?.GetValue<string>());
        }

        // The database's own order of the whole list, in one page.
        var (all, none) = await Page(100, null);
        Assert.That(none, Is.Null);
        Assert.That(all, Is.EquivalentTo(ids));
        Assert.That(all[0], Is.EqualTo(ids[^1]), "newest first");
        Assert.That(all[^1], Is.EqualTo(ids[0]), "oldest last");

        // Two items a page; after the first page another upload lands: the walk still yields the original list once.
        queries.Texts.Clear();
        var (walked, cursor) = await Page(2, null);
        var late = scene.NewUpload();
        await scene.UploadAsync(scene.Alice, late);
        while (cursor is not null)
        {
            var (items, next) = await Page(2, cursor);
            walked.AddRange(items);
            cursor = next;
        }

        Assert.That(walked, Is.EqualTo(all), "every item exactly once, in the list order, the late upload not among them");
        var (fresh, _) = await Page(2, null);
        Assert.That(fresh[0], Is.EqualTo(late.MediaId), "a new first page starts with the late upload");

        if (provider == "Postgres")
        {
            // Keyset, not offset: the cursor pages bound created_at (an index condition), and nothing skips rows.
            var lists = queries.Texts.Where(t => t.Contains("ORDER BY", StringComparison.Ordinal) && t.Contains("created_at", StringComparison.Ordinal)).ToList();
            Assert.That(lists, Is.Not.Empty);
            Assert.That(lists, Has.None.Contains("OFFSET"));
            Assert.That(lists.Count(t => Regex.IsMatch(t, @"created_at\s*<=\s*@")), Is.EqualTo(3), "the three cursor pages carry the created_at bound");
        }
    }
}
