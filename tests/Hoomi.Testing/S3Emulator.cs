using System.Diagnostics;
using System.Net.Sockets;

namespace Hoomi.Testing;

/// <summary>
/// A real S3 implementation for the tests: a throwaway one-node Ceph cluster (one monitor, one OSD on
/// the in-memory object store, the RADOS Gateway; auth off, one replica) on free loopback ports.
/// Every daemon runs in the foreground as a child process and is killed by PID on dispose.
/// Installed by scripts/ensure/s3-emulator.sh (apt-get install radosgw ceph-mon ceph-osd).
/// </summary>
public sealed class S3Emulator : IDisposable
{
    public const string AccessKey = "hoomi-test";
    public const string SecretKey = "hoomi-test-secret";

    private readonly string _root;
    private readonly string _config;
    private readonly List<Process> _daemons = [];
    private Process? _gateway;

    private S3Emulator(string root, int gatewayPort)
    {
        _root = root;
        _config = Path.Combine(root, "ceph.conf");
        GatewayPort = gatewayPort;
    }

    public int GatewayPort { get; }

    public string ServiceUrl => $"http://127.0.0.1:{GatewayPort}";

    public int? GatewayProcessId => _gateway?.Id;

    public static S3Emulator Start()
    {
        foreach (var tool in new[] { "ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "monmaptool", "ceph-authtool", "ceph" })
        {
            if (ExternalProcess.Which(tool) is null)
            {
                throw new InvalidOperationException($"{tool} not found: run scripts/ensure/s3-emulator.sh (or ./test.sh).");
            }
        }

        // A fresh cluster now and then refuses its first admin commands (seen on a loaded CI machine:
        // "Error EPERM: problem getting command descriptions from mon"): start over, on new ports.
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var root = Path.Combine(Path.GetTempPath(), "hoomi-ceph-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(Path.Combine(root, "mon"));
            Directory.CreateDirectory(Path.Combine(root, "osd"));
            Directory.CreateDirectory(Path.Combine(root, "run"));
            var monPort = ExternalProcess.FreeTcpPort();
            var emulator = new S3Emulator(root, ExternalProcess.FreeTcpPort());
            try
            {
                emulator.Bootstrap(monPort);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => emulator.Dispose();
                return emulator;
            }
            catch (Exception e) when (attempt < attempts && e is InvalidOperationException or TimeoutException)
            {
                Console.Error.WriteLine($"S3 emulator bootstrap attempt {attempt} failed, starting over: {e.Message}");
                emulator.Dispose();
            }
            catch
            {
                emulator.Dispose();
                throw;
            }
        }
    }

    /// <summary>Runs a cluster admin command, retrying while the new monitor is not ready to answer it.</summary>
    private void Ceph(params string[] arguments)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                ExternalProcess.Run("ceph", ["-c", _config, "--connect-timeout", "30", .. arguments], timeout: TimeSpan.FromSeconds(60));
                return;
            }
            catch (InvalidOperationException) when (attempt < 10)
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(500 * attempt));
            }
        }
    }

    private void Bootstrap(int monPort)
    {
        var fsid = Guid.NewGuid().ToString();
        var osdUuid = Guid.NewGuid().ToString();
        // Facts found by trying: on a non-default port the monitor must be a v1 address with msgr2 off
        // or clients hang; the gateway needs tcp_nodelay or small requests take ~50 ms; one OSD needs a
        // small PG count, a high PG-per-OSD limit and crush placement by OSD.
        File.WriteAllText(_config, $"""
            [global]
            fsid = {fsid}
            mon host = v1:127.0.0.1:{monPort}
            mon initial members = a
            ms bind msgr2 = false
            auth cluster required = none
            auth service required = none
            auth client required = none
            osd pool default size = 1
            osd pool default min size = 1
            osd pool default pg num = 8
            osd pool default pgp num = 8
            osd pool default pg autoscale mode = off
            mon max pg per osd = 1000
            mon allow pool size one = true
            mon warn on pool no redundancy = false
            mon data avail crit = 1
            mon data avail warn = 2
            osd crush chooseleaf type = 0
            osd crush update on start = false
            osd class update on start = false
            run dir = {_root}/run
            admin socket = {_root}/run/$name.asok
            log file = {_root}/$name.log
            keyring = {_root}/keyring
            [mon.a]
            mon data = {_root}/mon
            public addr = 127.0.0.1:{monPort}
            [osd.0]
            osd data = {_root}/osd
            osd objectstore = memstore
            memstore device bytes = 4294967296
            [client.rgw.hoomi]
            rgw frontends = beast endpoint=127.0.0.1:{GatewayPort} tcp_nodelay=1
            rgw data = {_root}/rgw

            """);
        var keyring = Path.Combine(_root, "keyring");
        var monmap = Path.Combine(_root, "monmap");
        ExternalProcess.Run("ceph-authtool", ["--create-keyring", keyring, "--gen-key", "-n", "mon.", "--cap", "mon", "allow *"]);
        ExternalProcess.Run("monmaptool", ["--create", "--fsid", fsid, "--addv", "a", $"[v1:127.0.0.1:{monPort}]", monmap]);
        ExternalProcess.Run("ceph-mon", ["-c", _config, "--mkfs", "-i", "a", "--monmap", monmap, "--keyring", keyring]);
        _daemons.Add(StartDaemon("ceph-mon", ["-c", _config, "-f", "-i", "a"]));
        // Both are idempotent (same uuid, same placement), so a retry is safe.
        Ceph("osd", "new", osdUuid);
        Ceph("osd", "crush", "add", "osd.0", "1", "root=default");
        ExternalProcess.Run("ceph-osd", ["-c", _config, "-i", "0", "--mkfs", "--osd-uuid", osdUuid]);
        _daemons.Add(StartDaemon("ceph-osd", ["-c", _config, "-f", "-i", "0"]));
        StartGateway();
        ExternalProcess.Run(
            "radosgw-admin",
            ["-c", _config, "user", "create", "--uid=hoomi", "--display-name=hoomi", $"--access-key={AccessKey}", $"--secret={SecretKey}"],
            timeout: TimeSpan.FromSeconds(120));
    }

    /// <summary>Starts the gateway (again) on its port and waits until it accepts connections.</summary>
    public void StartGateway()
    {
        _gateway = StartDaemon("radosgw", ["-c", _config, "-f", "-n", "client.rgw.hoomi"]);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_gateway.HasExited)
            {
                throw new InvalidOperationException($"radosgw exited with {_gateway.ExitCode}; see {_root}/client.rgw.hoomi.log");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect("127.0.0.1", GatewayPort);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        throw new TimeoutException("radosgw did not start listening");
    }

    /// <summary>Kills the gateway by PID (the cluster and its data stay), as if the S3 endpoint died.</summary>
    public void KillGateway()
    {
        if (_gateway is null)
        {
            return;
        }

        Kill(_gateway);
        _gateway = null;
    }

    private Process StartDaemon(string fileName, string[] arguments)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _root,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + fileName);
        // Drain the pipes so a chatty daemon never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }

    public void Dispose()
    {
        KillGateway();
        for (var i = _daemons.Count - 1; i >= 0; i--)
        {
            Kill(_daemons[i]);
        }

        _daemons.Clear();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
