using System.Diagnostics;

namespace Hoomi.Testing;

/// <summary>
/// The Cloud Storage emulator of firebase-tools, started through tools/gcs-emulator/launcher.js (which
/// also closes the emulator's API gaps) on a free loopback port, and killed by PID on dispose.
/// Installed by scripts/ensure/gcs-emulator.sh.
/// </summary>
public sealed class GcsEmulator : IDisposable
{
    private static readonly HttpClient Control = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Process _process;

    private GcsEmulator(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What <c>StorageClientBuilder.BaseUri</c> wants.</summary>
    public string BaseUri => $"http://127.0.0.1:{Port}/storage/v1/";

    public int ProcessId => _process.Id;

    public static GcsEmulator Start()
    {
        var dir = Path.Combine(RepositoryRoot.Find(), "tools", "gcs-emulator");
        if (!Directory.Exists(Path.Combine(dir, "node_modules", "firebase-tools")))
        {
            throw new InvalidOperationException("firebase-tools is not installed: run scripts/ensure/gcs-emulator.sh (or ./test.sh).");
        }

        var node = ExternalProcess.Which("node") ?? throw new InvalidOperationException("node not found on PATH.");
        var port = ExternalProcess.FreeTcpPort();
        var psi = new ProcessStartInfo(node)
        {
            WorkingDirectory = dir,
            UseShellExecute = false,
            // The launcher exits when its stdin closes, so it never outlives a crashed test host.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("launcher.js");
        psi.ArgumentList.Add("--port");
        psi.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the GCS emulator");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            log.Enqueue(e.Data);
            if (e.Data.StartsWith("READY", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                log.Enqueue(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var emulator = new GcsEmulator(process, port);
        if (!ready.Task.Wait(TimeSpan.FromSeconds(60)) || process.HasExited)
        {
            emulator.Dispose();
            throw new InvalidOperationException("the GCS emulator did not start: " + string.Join('\n', log));
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => emulator.Dispose();
        return emulator;
    }

    /// <summary>Drops every connection now and refuses new ones, as if the emulator had died; its data stays.</summary>
    public Task StartOutageAsync() => PostAsync("/_hoomi/outage");

    public Task EndOutageAsync() => PostAsync("/_hoomi/restore");

    /// <summary>Resumable upload sessions begun and not finished (invisible to readers, like on GCS).</summary>
    public async Task<int> CountOpenUploadSessionsAsync()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(
            await Control.GetStringAsync(new Uri($"http://127.0.0.1:{Port}/_hoomi/state")).ConfigureAwait(false));
        return doc.RootElement.GetProperty("openUploadSessions").GetInt32();
    }

    private async Task PostAsync(string path)
    {
        using var response = await Control.PostAsync(new Uri($"http://127.0.0.1:{Port}{path}"), null).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose()
    {
        try
        {
            // Closing stdin lets the launcher stop the emulator and remove its temp folder; the kill by
            // PID is the fallback.
            _process.StandardInput.Close();
            if (!_process.WaitForExit(3000))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
        }

        _process.Dispose();
    }
}
