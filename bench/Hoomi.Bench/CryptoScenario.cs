using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Hoomi.Client.Crypto;

namespace Hoomi.Bench;

/// <summary>
/// Issue 13 target 5 (`--only crypto`): the SDK's HME1 streams against `openssl speed -evp aes-256-gcm -bytes 65536`
/// (one process, and `-multi 2`) in the same run, on the same cores. The streams are fed as a transfer feeds them and
/// as `openssl speed` feeds the cipher: the caller's 1 MiB buffer stays in cache, the ciphertext goes to a sink that
/// keeps nothing (a socket hands it to the kernel), and the reader reads an L3-resident 4 MiB ciphertext again and
/// again (bench/README.md, HME1). `openssl speed` counts bytes per second of its own CPU time (without -elapsed), so
/// the one-core figures are given both per second of wall time and per second of this process's CPU time.
/// </summary>
public static class CryptoScenario
{
    private const int Chunk = 1 << 20;
    private const int HotCiphertextPlain = 4 << 20;

    public static void Run(SuiteResults results, bool quick)
    {
        var seconds = quick ? 1 : 3;
        Console.WriteLine("[crypto] openssl speed, one process");
        var openssl1 = OpensslSpeed(seconds, multi: 1);
        var cores = Environment.ProcessorCount;
        var key = RandomNumberGenerator.GetBytes(32);
        var plain = RandomNumberGenerator.GetBytes(HotCiphertextPlain);
        var ciphertext = Hme1.Encrypt(plain, key, Hme1Purpose.Content);
        Rate? seqEnc = null, seqDec = null, parEnc = null, parDec = null;
        foreach (var parallelism in new[] { 1, cores })
        {
            Console.WriteLine($"[crypto] HME1 streams, parallelism {parallelism}");
            var enc = Measure(seconds, () => Encrypt(key, plain, parallelism));
            var dec = Measure(seconds, () => Decrypt(key, ciphertext, parallelism));
            if (parallelism == 1)
            {
                (seqEnc, seqDec) = (enc, dec);
            }
            else
            {
                (parEnc, parDec) = (enc, dec);
            }
        }

        Console.WriteLine("[crypto] openssl speed -multi 2");
        var openssl2 = OpensslSpeed(seconds, multi: 2);
        string R(double a, double b) => double.IsNaN(b) || b <= 0 ? "n/a" : (a / b).ToString("0.00", CultureInfo.InvariantCulture) + "×";
        string G(double bytesPerSecond) => (bytesPerSecond / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB/s";
        results.Notes.Add($"**HME1 streams vs openssl (target 5, `--only crypto`, same run)**: `openssl speed -seconds {seconds} -bytes 65536 -evp aes-256-gcm` {G(openssl1)} (per CPU second), "
            + $"`-multi 2` {G(openssl2)}. SDK streams, 64 KiB segments, 1 MiB calls, hot buffers (bench/README.md, HME1):");
        results.Notes.Add($"one core (parallelism 1): encrypt {G(seqEnc!.Wall)} wall, {G(seqEnc.Cpu)} per CPU second = **{R(seqEnc.Cpu, openssl1)}** openssl "
            + $"({R(seqEnc.Wall, openssl1)} by wall time); decrypt {G(seqDec!.Wall)} wall, {G(seqDec.Cpu)} per CPU second = **{R(seqDec.Cpu, openssl1)}** ({R(seqDec.Wall, openssl1)} by wall time); "
            + $"target ≥ 0.9×: {Met(Math.Min(seqEnc.Cpu, seqDec.Cpu) / openssl1 >= 0.9)}");
        results.Notes.Add($"{cores} cores (parallelism {cores}): encrypt {G(parEnc!.Wall)} = **{R(parEnc.Wall, openssl1)}** one-core openssl, {R(parEnc.Wall, openssl2)} of `-multi 2`; "
            + $"decrypt {G(parDec!.Wall)} = **{R(parDec.Wall, openssl1)}**, {R(parDec.Wall, openssl2)} of `-multi 2` (CPU {parEnc.CpuPerWall:0.00} / {parDec.CpuPerWall:0.00} cores busy); "
            + $"target ≥ 1.6× one-core openssl: {Met(Math.Min(parEnc.Wall, parDec.Wall) / openssl1 >= 1.6)}");

        static string Met(bool ok) => ok ? "met" : "**not met**";
    }

    private static long Encrypt(byte[] key, byte[] plain, int parallelism)
    {
        const long total = 64L << 20;
        using var writer = new Hme1EncryptingStream(Stream.Null, key, Hme1Purpose.Content, new Hme1WriterOptions { LeaveOpen = true, Parallelism = parallelism });
        for (long written = 0; written < total; written += Chunk)
        {
            writer.Write(plain, 0, Chunk);
        }

        writer.Complete();
        return total;
    }

    private static long Decrypt(byte[] key, byte[] ciphertext, int parallelism)
    {
        var buffer = new byte[Chunk];
        long total = 0;
        for (var i = 0; i < 16; i++)
        {
            using var reader = new Hme1DecryptingStream(new MemoryStream(ciphertext, writable: false), key, Hme1Purpose.Content, ciphertext.Length, parallelism: parallelism);
            int n;
            while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                total += n;
            }
        }

        return total;
    }

    private sealed record Rate(double Wall, double Cpu, double CpuPerWall);

    /// <summary>Warms up, then repeats <paramref name="op"/> for about <paramref name="seconds"/> s; the best of three rounds (the least disturbed by the shared machine).</summary>
    private static Rate Measure(int seconds, Func<long> op)
    {
        for (var i = 0; i < 5; i++)
        {
            op();
        }

        Rate? best = null;
        using var process = Process.GetCurrentProcess();
        for (var round = 0; round < 3; round++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            long bytes = 0;
            while (clock.Elapsed.TotalSeconds < seconds / 3.0)
            {
                bytes += op();
            }

            var wall = clock.Elapsed.TotalSeconds;
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
            var rate = new Rate(bytes / wall, bytes / cpu, cpu / wall);
            if (best is null || rate.Wall > best.Wall)
            {
                best = rate;
            }
        }

        return best!;
    }

    /// <summary>Bytes per second (OpenSSL's "k" is 1000 bytes) of `openssl speed` at 64 KiB, summed over the processes with -multi.</summary>
    private static double OpensslSpeed(int seconds, int multi)
    {
        string[] args = multi > 1
            ? ["speed", "-seconds", seconds.ToString(CultureInfo.InvariantCulture), "-bytes", "65536", "-multi", multi.ToString(CultureInfo.InvariantCulture), "-evp", "aes-256-gcm"]
            : ["speed", "-seconds", seconds.ToString(CultureInfo.InvariantCulture), "-bytes", "65536", "-evp", "aes-256-gcm"];
        try
        {
            using var p = Process.Start(new ProcessStartInfo("openssl", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var stdout = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            var line = stdout.Split('\n').LastOrDefault(l => l.StartsWith("AES-256-GCM", StringComparison.OrdinalIgnoreCase) && l.TrimEnd().EndsWith('k'));
            var value = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1].TrimEnd('k');
            return value is null ? double.NaN : double.Parse(value, CultureInfo.InvariantCulture) * 1000;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return double.NaN; // no openssl on PATH
        }
    }
}
