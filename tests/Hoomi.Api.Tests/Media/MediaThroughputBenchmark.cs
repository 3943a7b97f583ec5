using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Api.Tests.Realtime;

namespace Hoomi.Api.Tests.Media;

/// <summary>
/// Upload and download throughput of a 50 MiB file through the API on a real Kestrel socket, per blob store
/// provider (the cloud ones on their emulators, all on this machine), for the record, not as a gate.
/// Run: dotnet test tests/Hoomi.Api.Tests -c Release --filter "FullyQualifiedName~MediaThroughputBenchmark" --logger "console;verbosity=detailed"
/// (HOOMI_BENCH_MIB and HOOMI_BENCH_ROUNDS change the size and the number of rounds).
/// </summary>
[TestFixtureSource(typeof(StorageEmulators), nameof(StorageEmulators.Providers))]
[Explicit("benchmark: measures, asserts only that every byte came back")]
public sealed class MediaThroughputBenchmark(string provider)
{
    [Test]
    public async Task Upload_and_download_throughput_of_a_large_file()
    {
        var mib = Setting("HOOMI_BENCH_MIB", 50);
        var rounds = Setting("HOOMI_BENCH_ROUNDS", 3);
        await using var server = RealtimeServer.Start(StorageEmulators.SettingsFor(
            provider, new Dictionary<string, string?> { ["Hoomi:RateLimits:Enabled"] = "false" }));
        var alice = await server.RegisterAsync("alice");
        var aliceKey = await alice.RegisterDeviceKeyAsync();
        var hoomi = await alice.CreateHoomiAsync();
        var scene = new MediaScene { Alice = alice, Bob = alice, Mallory = alice, AliceKey = aliceKey, BobKey = aliceKey, HoomiId = hoomi };

        var warmUp = MediaUpload.For(aliceKey);
        warmUp.Ciphertext = MediaUpload.FakeCiphertext(1024 * 1024);
        await scene.UploadAsync(alice, warmUp);
        await alice.Http.GetByteArrayAsync($"/media/{warmUp.MediaId}");

        var ciphertext = MediaUpload.FakeCiphertext(mib * 1024L * 1024);
        var sha256 = MediaUpload.Sha256Hex(ciphertext);
        var up = new List<double>();
        var down = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var upload = MediaUpload.For(aliceKey);
            upload.Ciphertext = ciphertext;
            var watch = Stopwatch.StartNew();
            await scene.UploadAsync(alice, upload);
            up.Add(ciphertext.Length / 1e6 / watch.Elapsed.TotalSeconds);

            watch.Restart();
            using var response = await alice.Http.GetAsync($"/media/{upload.MediaId}", HttpCompletionOption.ResponseHeadersRead);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await using var body = await response.Content.ReadAsStreamAsync();
            var got = Convert.ToHexStringLower(await SHA256.HashDataAsync(body));
            down.Add(ciphertext.Length / 1e6 / watch.Elapsed.TotalSeconds);
            Assert.That(got, Is.EqualTo(sha256), "downloaded bytes differ from the uploaded ones");
        }

        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {provider} | {mib} MiB | {Median(up):0.0} MB/s ({string.Join(", ", up.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))}) | {Median(down):0.0} MB/s ({string.Join(", ", down.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))}) |"));
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
}
