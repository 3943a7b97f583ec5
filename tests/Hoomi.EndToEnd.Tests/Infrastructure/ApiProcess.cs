using System.Diagnostics;
using System.Text;
using Hoomi.Testing;

namespace Hoomi.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The API as a process of its own (<c>dotnet Hoomi.Api.dll</c>, built beside the tests), for fault tests that kill it
/// with SIGKILL and start it again over the same database, blob root and data-protection keys.
/// </summary>
public sealed class ApiProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ApiProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>What the process wrote to stdout and stderr, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the API with <paramref name="settings"/> (configuration keys, <c>:</c>-separated) and waits until it is ready.</summary>
    public static async Task<ApiProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var port = ExternalProcess.FreeTcpPort();
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Hoomi.Api.dll"));
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add($"http://127.0.0.1:{port}");
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        psi.Environment["Hoomi__RateLimits__Enabled"] = "false";
        foreach (var (key, value) in settings)
        {
            psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the API");
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => api.Append(e.Data);
        process.ErrorDataReceived += (_, e) => api.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await api.WaitReadyAsync();
        }
        catch
        {
            api.Dispose();
            throw;
        }

        return api;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the API exited with {_process.ExitCode}: {Output}");
            }

            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("the API did not become ready: " + Output);
    }

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Linux): no shutdown, no flush, no hosted service stops.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    public void Dispose()
    {
        KillHard();
        _process.Dispose();
    }
}
