using System.Diagnostics.Tracing;
using System.Globalization;

namespace Hoomi.Benchmarks;

/// <summary>
/// Where an endpoint's allocations go, by type: <c>dotnet run -c Release -- alloc-profile [upload|download] [calls]</c>
/// runs the <see cref="EndpointBenchmarks"/> scene (PostgreSQL), then the chosen request <c>calls</c> times under an
/// in-process <see cref="EventListener"/> on the runtime's <c>GCAllocationTick</c> events (one sample per ≈ 100 KB
/// allocated, attributed to the type being allocated when the threshold was crossed), and prints the types with the
/// largest sampled share. A sampling view: good for ranking, not for exact bytes (BenchmarkDotNet gives those).
/// </summary>
internal static class AllocationProfile
{
    public static async Task RunAsync(string what, int calls)
    {
        var bench = new EndpointBenchmarks { Provider = "Postgres" };
        await bench.Setup();
        try
        {
            Func<Task> call = what == "download" ? async () => await bench.Download() : async () => await bench.Upload();
            using var listener = new AllocationListener();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            // bench/profile-endpoint reads how many calls ran during its perf window from this file (CPU time per call).
            var countFile = Environment.GetEnvironmentVariable("HOOMI_PROFILE_COUNT_FILE");
            for (var i = 0; i < calls; i++)
            {
                await call();
                if (countFile is not null && i % 20 == 0)
                {
                    await File.WriteAllTextAsync(countFile, (i + 1).ToString(CultureInfo.InvariantCulture));
                }
            }

            var total = GC.GetTotalAllocatedBytes(precise: true) - before;
            listener.Dispose();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: {total / (double)calls / 1024:F1} KiB allocated per call over {calls} calls"));
            var sum = listener.Bytes.Values.Sum();
            foreach (var (type, bytes) in listener.Bytes.OrderByDescending(kv => kv.Value).Take(40))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{100.0 * bytes / sum,6:F1} %  {type}"));
            }
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private sealed class AllocationListener : EventListener
    {
        public Dictionary<string, long> Bytes { get; } = [];

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick is verbose
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
            {
                return;
            }

            var index = eventData.PayloadNames!.IndexOf("TypeName");
            var type = index >= 0 ? eventData.Payload[index] as string ?? "?" : "?";
            var amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
            var amount = amountIndex >= 0 ? Convert.ToInt64(eventData.Payload[amountIndex], CultureInfo.InvariantCulture) : 100_000;
            lock (Bytes)
            {
                Bytes[type] = Bytes.GetValueOrDefault(type) + amount;
            }
        }
    }
}
