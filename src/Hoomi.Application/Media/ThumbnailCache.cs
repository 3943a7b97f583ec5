using System.Diagnostics.Metrics;
using Hoomi.Application.Common.Interfaces;
using Microsoft.Extensions.Caching.Hybrid;

namespace Hoomi.Application.Media;

/// <summary>
/// Encrypted thumbnails are small (at most 256 KiB) and read on every list view, far more often than written:
/// they are served from <see cref="HybridCache"/> (memory, plus Redis when configured) instead of the blob store.
/// The cache holds ciphertext only; access is checked against the database before the cache is consulted.
/// </summary>
public sealed class ThumbnailCache(HybridCache cache, IBlobStore blobs)
{
    private static readonly Meter Meter = new("Hoomi.Media.ThumbnailCache");
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "hoomi.thumbnail_cache.requests", "{request}", "Thumbnail reads by result (hit or miss); hit rate = hit / all.");

    private static readonly HybridCacheEntryOptions Entry = new() { Expiration = TimeSpan.FromHours(12), LocalCacheExpiration = TimeSpan.FromHours(1) };

    public async Task<byte[]> GetAsync(string storageKey, CancellationToken cancellationToken)
    {
        var missed = false;
        var bytes = await cache.GetOrCreateAsync(
            KeyOf(storageKey),
            (blobs, storageKey),
            async (state, ct) =>
            {
                missed = true;
                await using var stream = await state.blobs.OpenReadAsync(state.storageKey, null, ct).ConfigureAwait(false);
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy, ct).ConfigureAwait(false);
                return copy.ToArray();
            },
            Entry,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        Requests.Add(1, new KeyValuePair<string, object?>("result", missed ? "miss" : "hit"));
        return bytes;
    }

    public ValueTask RemoveAsync(string storageKey, CancellationToken cancellationToken) => cache.RemoveAsync(KeyOf(storageKey), cancellationToken);

    private static string KeyOf(string storageKey) => "thumb:" + storageKey;
}
