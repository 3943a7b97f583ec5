using Hoomi.Testing;
using Hoomi.Application.Common.Exceptions;
using Hoomi.Infrastructure.Storage;

namespace Hoomi.Infrastructure.Tests.Storage;

/// <summary>
/// The filesystem store's create-only publish under a harder race than the contract test's four writers: many writers
/// of one key, many times over. Exactly one wins each time, and the object is the winner's bytes.
/// </summary>
public sealed class FileSystemCreateOnlyRaceTests
{
    [Test]
    public async Task Sixteen_writers_of_one_key_leave_exactly_one_winner_every_round()
    {
        var root = Path.Combine(Path.GetTempPath(), "hoomi-race-" + Guid.NewGuid().ToString("N")[..8]);
        var store = new FileSystemBlobStore(root);
        try
        {
            for (var round = 0; round < 30; round++)
            {
                var key = $"race/{round}";
                var attempts = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
                {
                    try
                    {
                        var result = await store.PutAsync(key, new PatternStream(20_000, (uint)i), CancellationToken.None);
                        return result.Sha256;
                    }
                    catch (BlobAlreadyExistsException)
                    {
                        return null;
                    }
                })).ToArray();

                var winners = (await Task.WhenAll(attempts)).Where(h => h is not null).ToList();
                Assert.That(winners, Has.Count.EqualTo(1), $"round {round}");
                await using var stored = await store.OpenReadAsync(key, null, CancellationToken.None);
                using var sha = System.Security.Cryptography.SHA256.Create();
                Assert.That(Convert.ToHexStringLower(await sha.ComputeHashAsync(stored)), Is.EqualTo(winners[0]), "the stored bytes are the winner's");
            }

            Assert.That(Directory.GetFiles(Path.Combine(root, ".tmp")), Is.Empty, "no temp file left behind");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
