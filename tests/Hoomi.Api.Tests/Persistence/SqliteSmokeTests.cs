using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Media.Commands.VerifyStorage;
using Hoomi.Infrastructure.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hoomi.Api.Tests.Persistence;

/// <summary>The embedded default (SQLite) runs the same flows as PostgreSQL: one pass through the main ones.</summary>
public sealed class SqliteSmokeTests
{
    [Test]
    public async Task Register_create_a_hoomi_add_a_member_register_a_key_and_list_members_on_sqlite()
    {
        using var factory = HoomiApiFactory.OnSqlite();
        Assert.That(factory.ConnectionString, Does.StartWith("Data Source="));

        var alice = await ApiClient.RegisterAsync(factory.CreateClient(), "alice");
        var bob = await ApiClient.RegisterAsync(factory.CreateClient(), "bob");
        var hoomi = await alice.CreateHoomiAsync("Holidays");
        await alice.AddMemberAsync(hoomi, bob);
        var bobKey = await bob.RegisterDeviceKeyAsync();

        var response = await alice.Http.GetAsync($"/hoomis/{hoomi}/members");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var members = (await response.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
        Assert.That(members.Select(m => m!["userName"]!.GetValue<string>()), Is.EquivalentTo(new[] { alice.UserName, bob.UserName }));
        var bobEntry = members.Single(m => m!["userId"]!.GetValue<string>() == bob.UserId.ToString())!;
        Assert.That(bobEntry["keys"]!.AsArray().Select(k => k!["keyId"]!.GetValue<string>()), Is.EqualTo(new[] { bobKey.KeyId }));

        var bobsList = (await bob.Http.GetFromJsonAsync<JsonObject>("/hoomis"))!["items"]!.AsArray();
        Assert.That(bobsList.Select(h => h!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "Holidays" }));

        var twice = await alice.Http.PostAsJsonAsync($"/hoomis/{hoomi}/members", new { userName = bob.UserName });
        Assert.That(twice.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        var leave = await bob.Http.DeleteAsync($"/hoomis/{hoomi}/members/{bob.UserId}");
        Assert.That(leave.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await bob.Http.GetAsync($"/hoomis/{hoomi}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        // The outbox's dispatcher on SQLite: every journal row was sent right after its commit and marked.
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IHoomiDbContext>();
        var journal = await db.HoomiEvents.AsNoTracking().Where(e => e.HoomiId == hoomi).OrderBy(e => e.Sequence).ToListAsync();
        Assert.That(journal.Select(e => e.Type), Is.EqualTo(new[] { "MemberAdded", "MemberAdded", "MemberRemoved" }));
        Assert.That(journal.Select(e => e.DispatchedAt), Has.All.Not.Null);
        Assert.That(journal.All(e => e.DispatchedAt >= e.CreatedAt));
    }

    [Test]
    public async Task Verify_finds_and_repairs_a_wrong_usage_counter_on_sqlite()
    {
        using var factory = HoomiApiFactory.OnSqlite(new Dictionary<string, string?> { ["Hoomi:Retention:RunJobs"] = "false" });
        var alice = await ApiClient.RegisterAsync(factory.CreateClient(), "alice");
        var hoomi = await alice.CreateHoomiAsync("Holidays");
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HoomiDbContext>();
            await db.Hoomis.Where(h => h.Id == hoomi).ExecuteUpdateAsync(s => s.SetProperty(h => h.UsedBytes, 999L));
            var sender = scope.ServiceProvider.GetRequiredService<ISender>();
            var report = await sender.Send(new VerifyStorageCommand());
            Assert.That(report.UsageDrift.Single().UsedBytes, Is.EqualTo(999));
            Assert.That(report.Clean, Is.False);
            await sender.Send(new VerifyStorageCommand(Fix: true));
            Assert.That((await sender.Send(new VerifyStorageCommand())).Clean, Is.True);
        }

        var after = await alice.Http.GetFromJsonAsync<JsonObject>($"/hoomis/{hoomi}");
        Assert.That(after!["usedBytes"]!.GetValue<long>(), Is.Zero);
    }
}
