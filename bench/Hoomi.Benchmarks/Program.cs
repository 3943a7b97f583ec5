using System.Globalization;
using BenchmarkDotNet.Running;

namespace Hoomi.Benchmarks;

/// <summary>A named entry point: top-level statements would declare a global <c>Program</c>, which clashes with the Api's (EndpointBenchmarks hosts it).</summary>
internal static class BenchmarkProgram
{
    public static async Task Main(string[] args)
    {
        if (args is ["alloc-profile", .. var rest])
        {
            await AllocationProfile.RunAsync(rest.Length > 0 ? rest[0] : "upload", rest.Length > 1 ? int.Parse(rest[1], CultureInfo.InvariantCulture) : 2000);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
    }
}
