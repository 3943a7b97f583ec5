using System.Diagnostics;
using System.Text.Json.Nodes;
using Hoomi.Testing;

namespace Hoomi.EndToEnd.Tests;

/// <summary>
/// The soak's 2-minute version (bench/Hoomi.Bench, <c>soak --duration 2m</c>): the API as a real process (this build's
/// Hoomi.Api.dll) on its own PostgreSQL cluster and the filesystem store, under mixed load and hub subscribers, with an
/// API <c>kill -9</c>, a PostgreSQL stop and a client cut mid-upload. Fails on any error outside the fault windows, a
/// lost acknowledged upload, a half-visible item, a missed event (catch-up included), drift found by <c>admin verify</c>,
/// or RSS or descriptor growth beyond the stated bounds (second-half peak ≤ 1.25 × first-half peak + 32 MiB; descriptors
/// ≤ 1.5 × + 50). No timing assertions.
/// </summary>
[TestFixture]
[Category("Soak")]
[NonParallelizable]
public sealed class SoakTests
{
    [Test]
    public void Two_minutes_of_load_and_faults_lose_nothing_and_stay_flat()
    {
        var repo = RepositoryRoot.Find();
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        ExternalProcess.Run("dotnet", ["build", "-c", configuration, Path.Combine(repo, "bench/Hoomi.Bench"), "-v", "q", "-nologo"], timeout: TimeSpan.FromMinutes(10));
        var bench = Path.Combine(repo, "bench/Hoomi.Bench/bin", configuration, "net10.0/Hoomi.Bench.dll");
        var outDir = Path.Combine(Path.GetTempPath(), "hoomi-soak-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(outDir);
        try
        {
            var psi = new ProcessStartInfo("dotnet", [bench, "soak", "--duration", "2m", "--out", outDir, "--api", Path.Combine(AppContext.BaseDirectory, "Hoomi.Api.dll")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(15)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("the soak did not finish");
            }

            var output = stdout.Result + stderr.Result;
            var summaryPath = Path.Combine(outDir, "soak-short.json");
            Assert.That(File.Exists(summaryPath), Is.True, output);
            var s = JsonNode.Parse(File.ReadAllText(summaryPath))!.AsObject();
            Assert.Multiple(() =>
            {
                Assert.That(s["errorsOutsideFaultWindows"]!.GetValue<int>(), Is.Zero, s["problems"]!.ToJsonString());
                Assert.That(s["lostUploads"]!.GetValue<int>(), Is.Zero, "acknowledged uploads lost");
                Assert.That(s["missedEvents"]!.GetValue<int>(), Is.Zero, "upload events no subscriber received, catch-up included");
                Assert.That(s["verifyExitCode"]!.GetValue<int>(), Is.Zero, "admin verify found drift");
                Assert.That(s["rssPeakSecondHalfMiB"]!.GetValue<double>(), Is.LessThanOrEqualTo(s["rssBoundMiB"]!.GetValue<double>()), "RSS grew");
                Assert.That(s["faults"]!.AsArray().Count, Is.GreaterThanOrEqualTo(2), "the faults were injected");
                Assert.That(s["problems"]!.AsArray(), Is.Empty);
                Assert.That(process.ExitCode, Is.Zero, output);
            });
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }
}
