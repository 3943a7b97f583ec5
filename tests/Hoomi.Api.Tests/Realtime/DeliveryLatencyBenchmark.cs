using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hoomi.Api.Tests.Realtime;

/// <summary>
/// Delivery latency of MediaUploaded with a few hundred subscribers connected, for the record, not as a gate.
/// Run: dotnet test tests/Hoomi.Api.Tests --filter "FullyQualifiedName~DeliveryLatencyBenchmark" --logger "console;verbosity=detailed"
/// (HOOMI_BENCH_UPLOADS, HOOMI_BENCH_USERS and HOOMI_BENCH_CONNECTIONS_PER_USER change the sizes).
/// </summary>
[TestFixture]
[Explicit("benchmark: measures, asserts only that every event arrived")]
public sealed class DeliveryLatencyBenchmark
{
    [Test]
    public async Task MediaUploaded_delivery_latency_with_hundreds_of_subscribers()
    {
        var uploads = Setting("HOOMI_BENCH_UPLOADS", 300);
        var users = Setting("HOOMI_BENCH_USERS", 20);
        var perUser = Setting("HOOMI_BENCH_CONNECTIONS_PER_USER", 15);

        await using var server = RealtimeServer.Start();
        var alice = await RealtimeUser.CreateAsync(server.RegisterAsync, "alice");
        var hoomi = await alice.Api.CreateHoomiAsync();
        var members = new List<RealtimeUser> { alice };
        for (var i = 0; i < users; i++)
        {
            var member = await RealtimeUser.CreateAsync(server.RegisterAsync, "member" + i);
            await alice.Api.AddMemberAsync(hoomi, member.Api);
            members.Add(member);
        }

        // mediaId → arrival timestamps, one per subscriber connection
        var arrivals = new ConcurrentDictionary<Guid, ConcurrentBag<long>>();
        var connections = new List<HubConnection>();
        foreach (var member in members.Skip(1))
        {
            for (var c = 0; c < perUser; c++)
            {
                var connection = server.Hub(member.Api);
                connection.On<JsonElement>("MediaUploaded", e =>
                    arrivals.GetOrAdd(e.GetProperty("mediaId").GetGuid(), _ => []).Add(Stopwatch.GetTimestamp()));
                await connection.StartAsync();
                await connection.InvokeAsync("Joined");
                connections.Add(connection);
            }
        }

        var subscribers = connections.Count;
        var perEvent = new List<double>();
        var all = new List<double>();
        var requests = new List<double>();
        try
        {
            for (var i = 0; i < uploads; i++)
            {
                var (mediaId, started) = await alice.UploadAsync(hoomi, [.. members]);
                requests.Add(Latency.MillisecondsSince(started, Stopwatch.GetTimestamp()));
                var deadline = Stopwatch.StartNew();
                while ((!arrivals.TryGetValue(mediaId, out var bag) || bag.Count < subscribers) && deadline.Elapsed < TimeSpan.FromSeconds(10))
                {
                    await Task.Delay(1);
                }

                var times = arrivals[mediaId].Select(t => Latency.MillisecondsSince(started, t)).ToList();
                Assert.That(times, Has.Count.EqualTo(subscribers), $"upload {i}: not every subscriber got it within 10 s");
                all.AddRange(times);
                perEvent.Add(times.Max());
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }

        TestContext.Out.WriteLine($"{uploads} uploads, {subscribers} subscriber connections ({users} members × {perUser}), one API instance over PostgreSQL, loopback");
        TestContext.Out.WriteLine($"upload request (start → 201):              {Summary(requests)}");
        TestContext.Out.WriteLine($"request start → arrival, every subscriber: {Summary(all)}");
        TestContext.Out.WriteLine($"request start → arrival at the last one:    {Summary(perEvent)}");
    }

    private static string Summary(List<double> ms)
    {
        ms.Sort();
        string P(double q) => ms[(int)Math.Min(ms.Count - 1, Math.Ceiling(q * ms.Count) - 1)].ToString("F1", CultureInfo.InvariantCulture);
        return $"median {P(0.5)} ms, p99 {P(0.99)} ms, max {ms[^1].ToString("F1", CultureInfo.InvariantCulture)} ms (n={ms.Count})";
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
