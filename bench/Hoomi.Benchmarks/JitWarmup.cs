using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace Hoomi.Benchmarks;

/// <summary>
/// Runs an operation in batches of 300 ms until the JIT stops compiling (tiered compilation with dynamic PGO recompiles the
/// thousands of methods under EF Core, SQLite and ASP.NET up to three times, and on two cores that takes ≈ 10–15 s),
/// so that even a short job measures the steady state of a long-running server, not the tier-up.
/// </summary>
internal static class JitWarmup
{
    // Longer than the runtime's 100 ms call-counting delay, so that a quiet batch really means nothing is left to tier up.
    private static readonly TimeSpan BatchTime = TimeSpan.FromMilliseconds(300);

    public static async Task UntilSettledAsync(string what, Func<Task> operation, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var calls = 0;
        var quietBatches = 0;
        while (quietBatches < 2 && clock.Elapsed < limit)
        {
            var compiled = JitInfo.GetCompiledMethodCount();
            var batchStart = clock.Elapsed;
            do
            {
                await operation();
                calls++;
            }
            while (clock.Elapsed - batchStart < BatchTime);

            quietBatches = JitInfo.GetCompiledMethodCount() - compiled <= 2 ? quietBatches + 1 : 0;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// JIT warm-up of {what}: {calls} calls in {clock.Elapsed.TotalSeconds:F1} s, {(quietBatches >= 2 ? "settled" : "NOT settled (time limit)")}"));
    }
}
