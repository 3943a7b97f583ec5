using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;

namespace Hoomi.Infrastructure.Storage;

/// <summary>
/// The embedded default: one file per object under a root directory. A put writes to
/// <c>{root}/.tmp/</c>, fsyncs and then links the file under its real name create-only, so a crash
/// never leaves a half object under a real name; the maintenance job removes stale temp files (<see cref="DeleteStaleTempFiles"/>).
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore, IBlobStagingArea
{
    public const string TempFolderName = ".tmp";
    private const int BufferSize = 128 * 1024;

    private readonly string _root;

    public FileSystemBlobStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        TempDirectory = Path.Combine(_root, TempFolderName);
    }

    public string Root => _root;

    /// <summary>Where puts in progress live; anything old here is an orphan of a crash.</summary>
    public string TempDirectory { get; }

    public async Task<BlobWriteResult> PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = PathFor(key);
        if (File.Exists(path))
        {
            // Cheap early answer; the create-only move below is what actually guarantees it.
            throw new BlobAlreadyExistsException(key);
        }

        var temp = Path.Combine(TempDirectory, Guid.NewGuid().ToString("N") + ".tmp");
        var moved = false;
        try
        {
            Directory.CreateDirectory(TempDirectory);
            long size = 0;
            string sha256;
            var file = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
                BufferSize = 0,
            });
            await using (file.ConfigureAwait(false))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                try
                {
                    int n;
                    while ((n = await FillAsync(content, buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(buffer, 0, n);
                        await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                        size += n;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
                // Durable before it becomes visible: a crash after the move must not expose an empty file.
                file.Flush(flushToDisk: true);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                PublishCreateOnly(temp, path);
            }
            catch (IOException) when (File.Exists(path))
            {
                throw new BlobAlreadyExistsException(key);
            }

            moved = true;
            return new BlobWriteResult(size, sha256);
        }
        catch (IOException ex) when (IsOutOfSpace(ex))
        {
            // The temp file is removed below, so the space the failed write took is given back at once.
            throw new InsufficientStorageException("The blob store's disk is full.", ex);
        }
        finally
        {
            if (!moved)
            {
                TryDelete(temp);
            }
        }
    }

    /// <summary>
    /// Reads until <paramref name="buffer"/> is full or the content ends: request bodies arrive in small reads
    /// (a multipart section yields at most its reader's buffer), and each read would otherwise cost a hash call
    /// and a write system call of its own.
    /// </summary>
    private static async ValueTask<int> FillAsync(Stream content, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        int n;
        while (filled < buffer.Length && (n = await content.ReadAsync(buffer[filled..], cancellationToken).ConfigureAwait(false)) > 0)
        {
            filled += n;
        }

        return filled;
    }

    public Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        FileStream file;
        try
        {
            file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                // Deleting an object that is being downloaded must not fail; the reader keeps its inode.
                Share = FileShare.Read | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                // Unbuffered: the response copies in 128 KiB reads already, and a FileStream buffer of the
                // same size would only add a memory copy per read.
                BufferSize = 0,
            });
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(key);
        }

        if (range is null)
        {
            return Task.FromResult<Stream>(file);
        }

        var length = file.Length;
        var from = Math.Min(range.From, length);
        var to = Math.Min(range.To, length - 1);
        file.Seek(from, SeekOrigin.Begin);
        return Task.FromResult<Stream>(new TruncatingReadStream(file, Math.Max(0, to - from + 1)));
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing to delete.
        }

        return Task.CompletedTask;
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => Task.FromResult(File.Exists(PathFor(key)));

    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BlobKeys.ValidatePrefix(prefix);
        // Walk only the deepest folder the prefix names completely; the rest is a name filter.
        var slash = prefix.LastIndexOf('/');
        var folderKey = slash < 0 ? "" : prefix[..slash];
        var start = folderKey.Length == 0 ? _root : Path.Combine(_root, folderKey.Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(start))
        {
            yield break;
        }

        foreach (var item in Walk(new DirectoryInfo(start), folderKey.Length == 0 ? "" : folderKey + "/", prefix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task<int> DeleteStaleAsync(TimeSpan olderThan, CancellationToken cancellationToken) => Task.FromResult(DeleteStaleTempFiles(olderThan));

    /// <summary>Deletes temp files of puts that never finished (a crash or a killed process); returns how many.</summary>
    public int DeleteStaleTempFiles(TimeSpan olderThan, TimeProvider? clock = null)
    {
        if (!Directory.Exists(TempDirectory))
        {
            return 0;
        }

        var cutoff = (clock ?? TimeProvider.System).GetUtcNow().UtcDateTime - olderThan;
        var deleted = 0;
        foreach (var file in new DirectoryInfo(TempDirectory).EnumerateFiles("*.tmp"))
        {
            if (file.LastWriteTimeUtc < cutoff && TryDelete(file.FullName))
            {
                deleted++;
            }
        }

        return deleted;
    }

    private static IEnumerable<BlobItem> Walk(DirectoryInfo directory, string keyPrefix, string filter)
    {
        // Ordering directory "a" as "a/" makes a depth-first walk come out in ordinal key order.
        var entries = directory.EnumerateFileSystemInfos()
            .Where(e => !(keyPrefix.Length == 0 && e.Name == TempFolderName))
            .Select(e => (Entry: e, SortKey: e is DirectoryInfo ? e.Name + "/" : e.Name))
            .OrderBy(e => e.SortKey, StringComparer.Ordinal);
        foreach (var (entry, _) in entries)
        {
            var key = keyPrefix + entry.Name;
            if (entry is DirectoryInfo sub)
            {
                var subKey = key + "/";
                if (subKey.StartsWith(filter, StringComparison.Ordinal) || filter.StartsWith(subKey, StringComparison.Ordinal))
                {
                    foreach (var item in Walk(sub, subKey, filter))
                    {
                        yield return item;
                    }
                }
            }
            else if (entry is FileInfo file && key.StartsWith(filter, StringComparison.Ordinal))
            {
                yield return new BlobItem(key, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
            }
        }
    }

    private string PathFor(string key)
    {
        BlobKeys.Validate(key);
        var path = Path.GetFullPath(Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar)));
        // Defence in depth: the key rules already exclude every way out of the root.
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Blob key '{key}' resolves outside the store.", nameof(key));
        }

        return path;
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Gives the written temp file its real name only if that name is free, atomically. On Unix this is link(2), which
    /// fails with EEXIST when the name exists, then unlink of the temp name: File.Move without overwrite checks and then
    /// renames, so two concurrent puts of one key could both "win" (seen in the contract test's race).
    /// </summary>
    private static void PublishCreateOnly(string temp, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            File.Move(temp, path, overwrite: false); // MoveFileEx without REPLACE_EXISTING is atomic there
            return;
        }

        if (Link(NullTerminatedUtf8(temp), NullTerminatedUtf8(path)) != 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            throw new IOException($"link({temp}, {path}) failed with errno {errno}.", errno);
        }

        File.Delete(temp);
    }

    /// <summary>
    /// A write refused for lack of space. On Unix .NET puts the errno in <see cref="Exception.HResult"/>: ENOSPC (28) for
    /// a full filesystem, EDQUOT (122 on Linux, 69 on macOS) for a user quota; on Windows the HRESULTs of
    /// ERROR_HANDLE_DISK_FULL and ERROR_DISK_FULL.
    /// </summary>
    internal static bool IsOutOfSpace(IOException exception)
    {
        const int ENOSPC = 28;
        const int EdquotLinux = 122;
        const int EdquotMac = 69;
        const int ErrorHandleDiskFull = unchecked((int)0x80070027);
        const int ErrorDiskFull = unchecked((int)0x80070070);
        return OperatingSystem.IsWindows()
            ? exception.HResult is ErrorHandleDiskFull or ErrorDiskFull
            : exception.HResult is ENOSPC || exception.HResult == (OperatingSystem.IsMacOS() ? EdquotMac : EdquotLinux);
    }

    private static byte[] NullTerminatedUtf8(string path) => [.. System.Text.Encoding.UTF8.GetBytes(path), 0];

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link(byte[] oldPath, byte[] newPath);
}
