namespace Hoomi.Testing;

/// <summary>
/// A real, small filesystem for "the disk is full" tests: a tmpfs of a few MiB mounted on a fresh folder (needs root, or
/// CAP_SYS_ADMIN). <see cref="TryMount"/> returns null with the reason when this machine cannot mount one, so that the
/// test can skip saying why; unmounted and removed on dispose.
/// </summary>
public sealed class SmallTmpfs : IDisposable
{
    private SmallTmpfs(string path) => Path = path;

    public string Path { get; }

    public static SmallTmpfs? TryMount(long bytes, out string? whyNot)
    {
        whyNot = null;
        if (!OperatingSystem.IsLinux())
        {
            whyNot = "tmpfs mounts need Linux";
            return null;
        }

        if (!ExternalProcess.IsRoot)
        {
            whyNot = "mounting a tmpfs needs root (id -u is not 0)";
            return null;
        }

        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hoomi-full-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        try
        {
            ExternalProcess.Run("mount", ["-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", path], timeout: TimeSpan.FromSeconds(30));
        }
        catch (InvalidOperationException ex)
        {
            Directory.Delete(path);
            whyNot = "mount -t tmpfs failed (no CAP_SYS_ADMIN in this container?): " + ex.Message;
            return null;
        }

        return new SmallTmpfs(path);
    }

    public void Dispose()
    {
        try
        {
            ExternalProcess.Run("umount", ["-l", Path], timeout: TimeSpan.FromSeconds(30));
            Directory.Delete(Path, recursive: true);
        }
        catch (InvalidOperationException)
        {
        }
        catch (IOException)
        {
        }
    }
}
