using Hoomi.Testing;
using System.Diagnostics;
using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;

namespace Hoomi.Infrastructure.Tests.Storage;

/// <summary>What every <see cref="IBlobStore"/> adapter must do, run against each one (the cloud ones on their emulators).</summary>
[TestFixtureSource(nameof(Providers))]
[Parallelizable(ParallelScope.Self)]
public sealed class BlobStoreContractTests(string provider)
{
    public static readonly string[] Providers = ["FileSystem", "Gcs", "S3"];

    private StoreHarness _harness = null!;

    private IBlobStore Store => _harness.Store;

    [OneTimeSetUp]
    public void StartStore()
    {
        var watch = Stopwatch.StartNew();
        _harness = StoreHarness.Create(provider);
        TestContext.Progress.WriteLine($"[{provider}] store ready in {watch.Elapsed.TotalSeconds:F1} s");
    }

    [OneTimeTearDown]
    public void StopStore() => _harness.Dispose();

    private static string NewKey() => $"media/{Guid.NewGuid():N}/{Guid.NewGuid():N}";

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(64 * 1024 - 1)]
    [TestCase(64 * 1024)]
    [TestCase(64 * 1024 + 1)]
    [TestCase(10 * 1024 * 1024, TestName = "{m}(exactly two S3 test parts)")]
    [TestCase(16 * 1024 * 1024, TestName = "{m}(exactly two GCS chunks)")]
    [TestCase(50 * 1024 * 1024)]
    public async Task Round_trip_returns_the_same_bytes_with_size_and_sha256(int size)
    {
        var key = NewKey();
        var watch = Stopwatch.StartNew();
        var written = await Store.PutAsync(key, new PatternStream(size, 7), CancellationToken.None);
        var putTime = watch.Elapsed;

        Assert.That(written.Size, Is.EqualTo(size));
        Assert.That(written.Sha256, Is.EqualTo(PatternStream.Sha256(size, 7)));

        watch.Restart();
        var stream = await Store.OpenReadAsync(key, null, CancellationToken.None);
        await using (stream)
        {
            await AssertPatternAsync(stream, from: 0, length: size, seed: 7);
        }

        if (size >= 1024 * 1024)
        {
            TestContext.Progress.WriteLine($"[{provider}] {size >> 20} MiB put {putTime.TotalMilliseconds:F0} ms, get {watch.Elapsed.TotalMilliseconds:F0} ms");
        }
    }

    [TestCase(0, 0, TestName = "{m}(first byte)")]
    [TestCase(1000, 33000, TestName = "{m}(middle)")]
    [TestCase(65536, 65536, TestName = "{m}(last byte)")]
    [TestCase(0, 65536, TestName = "{m}(whole object as a range)")]
    public async Task Ranged_read_returns_exactly_the_range(int from, int to)
    {
        const int size = 64 * 1024 + 1;
        var key = NewKey();
        await Store.PutAsync(key, new PatternStream(size, 11), CancellationToken.None);

        var stream = await Store.OpenReadAsync(key, new ByteRange(from, to), CancellationToken.None);
        await using (stream)
        {
            await AssertPatternAsync(stream, from, to - from + 1, seed: 11);
        }
    }

    [Test]
    public async Task Ranged_read_of_a_large_object_streams_only_the_range()
    {
        const int size = 9 * 1024 * 1024;
        var key = NewKey();
        await Store.PutAsync(key, new PatternStream(size, 12), CancellationToken.None);
        var stream = await Store.OpenReadAsync(key, new ByteRange(size - 300_000, size - 1), CancellationToken.None);
        await using (stream)
        {
            await AssertPatternAsync(stream, size - 300_000, 300_000, seed: 12);
        }
    }

    [Test]
    public async Task A_second_put_to_the_same_key_fails_and_keeps_the_original()
    {
        var key = NewKey();
        var first = await Store.PutAsync(key, new PatternStream(1000, 1), CancellationToken.None);

        Assert.ThrowsAsync<BlobAlreadyExistsException>(() => Store.PutAsync(key, new PatternStream(2000, 2), CancellationToken.None));

        var stream = await Store.OpenReadAsync(key, null, CancellationToken.None);
        await using (stream)
        {
            await AssertPatternAsync(stream, 0, 1000, seed: 1);
        }

        Assert.That(first.Size, Is.EqualTo(1000));
    }

    [Test]
    public async Task A_second_large_put_to_the_same_key_fails_and_keeps_the_original()
    {
        // Large enough for a multipart/resumable upload in several parts on every cloud adapter.
        const int size = 12 * 1024 * 1024;
        var key = NewKey();
        await Store.PutAsync(key, new PatternStream(size, 3), CancellationToken.None);

        Assert.ThrowsAsync<BlobAlreadyExistsException>(() => Store.PutAsync(key, new PatternStream(size, 4), CancellationToken.None));

        var stream = await Store.OpenReadAsync(key, new ByteRange(size - 10, size - 1), CancellationToken.None);
        await using (stream)
        {
            await AssertPatternAsync(stream, size - 10, 10, seed: 3);
        }
    }

    [Test]
    public async Task Concurrent_puts_to_the_same_key_store_exactly_one()
    {
        var key = NewKey();
        var attempts = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            try
            {
                await Store.PutAsync(key, new PatternStream(100_000, (uint)i), CancellationToken.None);
                return true;
            }
            catch (BlobAlreadyExistsException)
            {
                return false;
            }
        })).ToArray();

        var outcomes = await Task.WhenAll(attempts);

        Assert.That(outcomes.Count(won => won), Is.EqualTo(1));
    }

    [Test]
    public async Task Delete_removes_the_object_and_is_idempotent()
    {
        var key = NewKey();
        await Store.PutAsync(key, new PatternStream(10, 5), CancellationToken.None);
        Assert.That(await Store.ExistsAsync(key, CancellationToken.None), Is.True);

        await Store.DeleteAsync(key, CancellationToken.None);
        await Store.DeleteAsync(key, CancellationToken.None);

        Assert.That(await Store.ExistsAsync(key, CancellationToken.None), Is.False);
        Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(key, null, CancellationToken.None));
    }

    [Test]
    public void Reading_a_missing_object_is_not_found()
    {
        var key = NewKey();
        Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(key, null, CancellationToken.None));
        Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(key, new ByteRange(0, 10), CancellationToken.None));
    }

    [Test]
    public async Task Exists_tells_whether_the_object_is_there()
    {
        var key = NewKey();
        Assert.That(await Store.ExistsAsync(key, CancellationToken.None), Is.False);
        await Store.PutAsync(key, new PatternStream(0, 0), CancellationToken.None);
        Assert.That(await Store.ExistsAsync(key, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task List_returns_the_objects_under_a_prefix_in_key_order_across_pages()
    {
        var hoomi = $"media/{Guid.NewGuid():N}";
        var keys = Enumerable.Range(0, 3 * StoreHarness.PageSize + 1).Select(i => $"{hoomi}/m{i:D2}").ToList();
        await Task.WhenAll(keys.Select((k, i) => Store.PutAsync(k, new PatternStream(i, 1), CancellationToken.None)));
        // Neighbours that share the prefix as a string but not as a folder, or not at all.
        await Store.PutAsync($"{hoomi}-other/x", new PatternStream(1, 1), CancellationToken.None);
        await Store.PutAsync($"media/{Guid.NewGuid():N}/y", new PatternStream(1, 1), CancellationToken.None);

        var listed = await ToListAsync(Store.ListAsync(hoomi + "/", CancellationToken.None));

        Assert.That(listed.Select(b => b.Key), Is.EqualTo(keys));
        Assert.That(listed.Select(b => b.Size), Is.EqualTo(keys.Select((_, i) => (long)i)));
        Assert.That(listed, Has.All.Matches<BlobItem>(b => b.LastModified > DateTimeOffset.UtcNow.AddHours(-1)));

        var partial = await ToListAsync(Store.ListAsync(hoomi + "/m0", CancellationToken.None));
        Assert.That(partial.Select(b => b.Key), Is.EqualTo(keys.Where(k => k.StartsWith(hoomi + "/m0", StringComparison.Ordinal))));

        var byString = await ToListAsync(Store.ListAsync(hoomi, CancellationToken.None));
        Assert.That(byString.Select(b => b.Key), Is.EqualTo(keys.Append($"{hoomi}-other/x").Order(StringComparer.Ordinal)));
    }

    [Test]
    public async Task Concurrent_puts_of_different_objects_all_land()
    {
        var keys = Enumerable.Range(0, 8).Select(_ => NewKey()).ToArray();

        var results = await Task.WhenAll(keys.Select((k, i) => Store.PutAsync(k, new PatternStream(300_000 + i, (uint)i), CancellationToken.None)));

        for (var i = 0; i < keys.Length; i++)
        {
            Assert.That(results[i].Sha256, Is.EqualTo(PatternStream.Sha256(300_000 + i, (uint)i)));
            var stream = await Store.OpenReadAsync(keys[i], null, CancellationToken.None);
            await using (stream)
            {
                await AssertPatternAsync(stream, 0, 300_000 + i, (uint)i);
            }
        }
    }

    [TestCase(100_000)]
    [TestCase(11 * 1024 * 1024)]
    public async Task A_put_whose_source_fails_midway_leaves_nothing(int failAfter)
    {
        var folder = $"media/{Guid.NewGuid():N}";
        var key = folder + "/broken";

        var error = Assert.ThrowsAsync<IOException>(() => Store.PutAsync(key, new PatternStream(failAfter * 2L, 9, throwAfter: failAfter), CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("midway"), "the caller's own error comes back, not a storage error");
        Assert.That(await Store.ExistsAsync(key, CancellationToken.None), Is.False);
        Assert.That(await ToListAsync(Store.ListAsync(folder, CancellationToken.None)), Is.Empty);
        Assert.That(await ToListAsync(Store.ListAsync("", CancellationToken.None)), Has.None.Matches<BlobItem>(b => b.Key.Contains("tmp", StringComparison.Ordinal)));
        if (_harness.TempDirectory is { } temp && Directory.Exists(temp))
        {
            Assert.That(Directory.EnumerateFileSystemEntries(temp), Is.Empty);
        }
    }

    [Test]
    public async Task A_cancelled_put_leaves_nothing()
    {
        var folder = $"media/{Guid.NewGuid():N}";
        var key = folder + "/cancelled";
        using var cts = new CancellationTokenSource();
        var source = new TriggerStream(new PatternStream(6 * 1024 * 1024, 1), 1024 * 1024, () => cts.CancelAsync());

        Assert.CatchAsync<OperationCanceledException>(() => Store.PutAsync(key, source, cts.Token));

        Assert.That(await Store.ExistsAsync(key, CancellationToken.None), Is.False);
        if (_harness.TempDirectory is { } temp && Directory.Exists(temp))
        {
            Assert.That(Directory.EnumerateFileSystemEntries(temp), Is.Empty);
        }
    }

    [TestCase("../etc/passwd")]
    [TestCase("/absolute/key")]
    [TestCase("media\\x")]
    [TestCase("media/../../x")]
    [TestCase("media//x")]
    [TestCase(".tmp/x")]
    [TestCase("")]
    public void Unsafe_keys_are_rejected(string key)
    {
        Assert.CatchAsync<ArgumentException>(() => Store.PutAsync(key, new PatternStream(1, 1), CancellationToken.None));
        Assert.CatchAsync<ArgumentException>(() => Store.OpenReadAsync(key, null, CancellationToken.None));
    }

    [Test]
    [Order(int.MaxValue)]
    public async Task The_store_going_down_mid_upload_is_unavailable_and_leaves_no_object()
    {
        if (!_harness.CanFail)
        {
            Assert.Ignore("The filesystem store has no server to lose; the failing-source test covers it.");
        }

        var folder = $"media/{Guid.NewGuid():N}";
        var key = folder + "/interrupted";
        const int size = 24 * 1024 * 1024;
        var source = new TriggerStream(new PatternStream(size, 21), 10 * 1024 * 1024, _harness.StartOutageAsync);
        try
        {
            var watch = Stopwatch.StartNew();
            var error = Assert.ThrowsAsync<StorageUnavailableException>(() => Store.PutAsync(key, source, CancellationToken.None));
            TestContext.Progress.WriteLine($"[{provider}] outage surfaced after {watch.Elapsed.TotalSeconds:F1} s: {error!.Message}");
            Assert.ThrowsAsync<StorageUnavailableException>(() => Store.ExistsAsync(key, CancellationToken.None));
        }
        finally
        {
            await _harness.EndOutageAsync();
        }

        Assert.That(await Store.ExistsAsync(key, CancellationToken.None), Is.False);
        Assert.That(await ToListAsync(Store.ListAsync(folder, CancellationToken.None)), Is.Empty);
        TestContext.Progress.WriteLine($"[{provider}] unfinished uploads left for the store's own expiry: {await _harness.CountUnfinishedUploadsAsync()}");

        // And the store works again.
        var again = await Store.PutAsync(key, new PatternStream(1234, 1), CancellationToken.None);
        Assert.That(again.Size, Is.EqualTo(1234));
    }

    private static async Task AssertPatternAsync(Stream stream, long from, long length, uint seed)
    {
        var buffer = new byte[81920];
        long position = from;
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            for (var i = 0; i < n; i++)
            {
                if (buffer[i] != PatternStream.ByteAt(position + i, seed))
                {
                    Assert.Fail($"byte {position + i} differs");
                }
            }

            position += n;
        }

        Assert.That(position - from, Is.EqualTo(length), "bytes read");
    }

    private static async Task<List<BlobItem>> ToListAsync(IAsyncEnumerable<BlobItem> items)
    {
        var list = new List<BlobItem>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
