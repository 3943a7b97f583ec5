using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Hoomi.Testing;

/// <summary>
/// A throwaway redis-server on a free loopback port with a temporary working directory and no persistence,
/// stopped by its PID. Installed by scripts/ensure/redis.sh (./test.sh runs it).
/// </summary>
public sealed class RedisServer : IDisposable
{
    private Process _process;
    private readonly ProcessStartInfo _startInfo;
    private readonly string _directory;

    private RedisServer(Process process, ProcessStartInfo startInfo, string directory, int port)
    {
        _process = process;
        _startInfo = startInfo;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public static RedisServer Start()
    {
        var exe = ExternalProcess.Which("redis-server", "/usr/bin", "/usr/sbin", "/usr/local/bin")
            ?? throw new InvalidOperationException("redis-server not found: run scripts/ensure/redis.sh (./test.sh does).");
        var directory = Path.Combine(Path.GetTempPath(), "hoomi-redis-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var port = ExternalProcess.FreeTcpPort();
        var psi = new ProcessStartInfo(exe)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var a in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--dir", directory, "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no" })
        {
            psi.ArgumentList.Add(a);
        }

        var server = new RedisServer(Launch(psi), psi, directory, port);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        server.WaitUntilReady();
        return server;
    }

    private static Process Launch(ProcessStartInfo psi)
    {
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start redis-server");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Kills the server (SIGKILL, as a crash would): every client connection drops and nothing is kept.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
    }

    /// <summary>Starts the server again on the same port, empty (no persistence), after <see cref="Kill"/>.</summary>
    public void Restart()
    {
        Kill();
        _process.Dispose();
        _process = Launch(_startInfo);
        WaitUntilReady();
    }

    private void WaitUntilReady()
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}");
            }

            try
            {
                using var client = new TcpClient("127.0.0.1", Port);
                using var stream = client.GetStream();
                stream.Write("PING\r\n"u8);
                var buffer = new byte[16];
                var read = stream.Read(buffer);
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException("redis-server did not answer PING within 15 s");
            }

            Thread.Sleep(50);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
