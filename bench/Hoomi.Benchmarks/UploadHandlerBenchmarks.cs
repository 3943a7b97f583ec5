using Hoomi.Application.Common.Authorization;
using BenchmarkDotNet.Attributes;
using FluentValidation;
using Hoomi.Application;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Media;
using Hoomi.Application.Media.Commands.UploadMedia;
using Hoomi.Client.Crypto;
using Hoomi.Domain.Hoomis;
using Hoomi.Domain.Keys;
using Hoomi.Infrastructure;
using Hoomi.Infrastructure.Identity;
using Hoomi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Hoomi.Benchmarks;

/// <summary>
/// The upload use case below HTTP: <see cref="UploadMediaCommandHandler"/> with the service's own composition
/// (AddApplication + AddInfrastructure) on a file-backed SQLite database and the filesystem blob store, both in a
/// temporary directory, the database quota and the no-op notifier. Each call stores a new media item (new UUIDv7)
/// of one owner in one hoomi, with the file key wrapped for the owner's one device key.
/// </summary>
[MemoryDiagnoser]
public class UploadHandlerBenchmarks
{
    private string _directory = "";
    private ServiceProvider? _services;
    private BenchUser _user = new(Guid.Empty, "");
    private Guid _hoomiId;
    private UploadMetadata _metadata = null!;
    private byte[] _ciphertext = [];

    /// <summary>Plaintext size of the file in KiB; the stored file is its HME1 ciphertext (a little longer).</summary>
    [Params(16, 1024)]
    public int FileKiB { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "hoomi-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_directory);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hoomi:Database:Provider"] = "Sqlite",
            ["Hoomi:Database:ConnectionString"] = $"Data Source={Path.Combine(_directory, "hoomi.db")}",
            ["Hoomi:Storage:Provider"] = "FileSystem",
            ["Hoomi:Storage:FileSystem:Root"] = Path.Combine(_directory, "blobs"),
        }).Build();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddApplication();
        services.AddInfrastructure(configuration);
        services.AddScoped<ICurrentUser>(_ => _user);
        services.AddOptions<MediaOptions>().Bind(configuration.GetSection(MediaOptions.Section));
        _services = services.BuildServiceProvider();

        // Schema from the checked-in SQLite migrations (what DatabaseMigrator does at startup), then the scene.
        using var device = DeviceKeyPair.Generate();
        var now = TimeProvider.System.GetUtcNow();
        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HoomiDbContext>();
            await db.Database.MigrateAsync();
            var userId = Guid.CreateVersion7();
            db.Users.Add(new AppUser
            {
                Id = userId,
                UserName = "bench",
                NormalizedUserName = "BENCH",
                SecurityStamp = Guid.NewGuid().ToString("N"),
                ConcurrencyStamp = Guid.NewGuid().ToString("N"),
            });
            var hoomi = HoomiGroup.Create(Guid.CreateVersion7(), "bench", userId, now);
            hoomi.SetStorageQuota(1L << 50);
            db.Hoomis.Add(hoomi);
            db.DeviceKeys.Add(DeviceKey.Register(userId, device.KeyId, device.PublicKey.ToArray(), now));
            await db.SaveChangesAsync();
            _user = new BenchUser(userId, "bench");
            _hoomiId = hoomi.Id;
        }

        var sample = UploadSample.Create(FileKiB * 1024, 0, device);
        _ciphertext = sample.Ciphertext;
        _metadata = sample.Metadata(sample.MediaId.ToString("D"));

        // The metadata must pass the validator the Mediator pipeline runs before the handler (not measured here) ...
        var validator = _services.GetRequiredService<IValidator<UploadMediaCommand>>();
        var validation = await validator.ValidateAsync(new UploadMediaCommand(_hoomiId, _metadata, new MemoryUploadParts(_ciphertext)));
        if (!validation.IsValid)
        {
            throw new InvalidOperationException("The benchmark's upload is not valid: " + validation);
        }

        // ... and checked uploads before measuring (Upload throws unless the media was created), so that a refusal
        // cannot pass for a fast upload; they go on until the JIT has settled. The database and the blob directory
        // keep what they store: a few thousand rows and files by the end, which the indexed lookups do not notice.
        await Upload();
        await JitWarmup.UntilSettledAsync($"Upload({FileKiB} KiB)", Upload, TimeSpan.FromSeconds(45));
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Benchmark]
    public async Task<long> Upload()
    {
        await using var scope = _services!.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        // The membership check the Mediator pipeline makes before the handler (HoomiAuthorizationBehaviour): one query.
        var access = sp.GetRequiredService<HoomiAccessContext>();
        await access.RequireAsync(_hoomiId, CancellationToken.None);
        var handler = new UploadMediaCommandHandler(
            sp.GetRequiredService<IHoomiDbContext>(), access, sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<IStorageQuota>(),
            sp.GetRequiredService<IReservationReleaseRetries>(), sp.GetRequiredService<Hoomi.Application.Events.HoomiEventOutbox>(), sp.GetRequiredService<TimeProvider>());
        var mediaId = Guid.CreateVersion7().ToString("D");
        var result = await handler.Handle(
            new UploadMediaCommand(_hoomiId, _metadata with { MediaId = mediaId }, new MemoryUploadParts(_ciphertext)), CancellationToken.None);
        if (!result.Created || result.Media.Size != _ciphertext.LongLength)
        {
            throw new InvalidOperationException($"The upload was not created: {result}.");
        }

        return result.Media.Size;
    }

    private sealed record BenchUser(Guid Id, string UserName) : ICurrentUser;

    /// <summary>The file part over the in-memory ciphertext, no thumbnail part.</summary>
    private sealed class MemoryUploadParts(byte[] ciphertext) : IUploadParts
    {
        public Task<Stream> OpenFileAsync(CancellationToken cancellationToken) =>
            Task.FromResult<Stream>(new MemoryStream(ciphertext, writable: false));

        public Task<Stream?> OpenThumbnailAsync(bool sealFollows, CancellationToken cancellationToken) => Task.FromResult<Stream?>(null);

        public Task<UploadSeal> ReadSealAsync(CancellationToken cancellationToken) => throw new NotSupportedException("These uploads declare sha256 in metadata.");
    }
}
