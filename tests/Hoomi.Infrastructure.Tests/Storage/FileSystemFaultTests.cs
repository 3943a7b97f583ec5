using Hoomi.Application.Common.Exceptions;
using Hoomi.Infrastructure.Storage;
using Hoomi.Testing;

namespace Hoomi.Infrastructure.Tests.Storage;

/// <summary>The filesystem store on a real full disk (a 2 MiB tmpfs), and its clean-up of temp files crashed puts left.</summary>
public sealed class FileSystemFaultTests
{
    [Test]
    public async Task A_put_that_fills_the_disk_is_insufficient_storage_and_leaves_nothing_behind()
    {
        using var disk = SmallTmpfs.TryMount(2 * 1024 * 1024, out var whyNot);
        if (disk is null)
        {
            Assert.Ignore("No small filesystem to fill: " + whyNot);
        }

        var store = new FileSystemBlobStore(disk.Path);
        var ex = Assert.ThrowsAsync<InsufficientStorageException>(() => store.PutAsync("media/a/big", new PatternStream(4 * 1024 * 1024, 1), CancellationToken.None));
        Assert.That(ex!.InnerException, Is.InstanceOf<IOException>());
        Assert.That(File.Exists(Path.Combine(disk.Path, "media", "a", "big")), Is.False, "nothing under the real name");
        Assert.That(Directory.GetFiles(store.TempDirectory), Is.Empty, "the temp file is gone, and its space with it");

        // The space is back: a put that fits goes through on the same store.
        var small = await store.PutAsync("media/a/small", new PatternStream(100_000, 2), CancellationToken.None);
        Assert.That(small.Size, Is.EqualTo(100_000));
    }

    [Test]
    public void Only_temp_files_not_written_for_the_given_time_are_deleted()
    {
        var root = Path.Combine(Path.GetTempPath(), "hoomi-tmpclean-" + Guid.NewGuid().ToString("N")[..8]);
        var store = new FileSystemBlobStore(root);
        try
        {
            Directory.CreateDirectory(store.TempDirectory);
            var stale = Path.Combine(store.TempDirectory, "stale.tmp");
            var fresh = Path.Combine(store.TempDirectory, "fresh.tmp");
            File.WriteAllBytes(stale, new byte[10]);
            File.WriteAllBytes(fresh, new byte[10]);
            File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-2));

            Assert.That(store.DeleteStaleTempFiles(TimeSpan.FromDays(1)), Is.EqualTo(1));
            Assert.That(File.Exists(stale), Is.False);
            Assert.That(File.Exists(fresh), Is.True, "a put still writing keeps its temp file");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
