using Hoomi.Application.Common.Interfaces;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hoomi.Infrastructure.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The blob store chosen by <c>Hoomi:Storage:Provider</c> (FileSystem, Gcs or S3) as a singleton
    /// <see cref="IBlobStore"/>, with its options validated when the host starts.
    /// Add <see cref="BlobStoreHealthCheck"/> to the readiness checks to probe it.
    /// </summary>
    public static IServiceCollection AddBlobStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BlobStorageOptions>()
            .Bind(configuration.GetSection(BlobStorageOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<BlobStorageOptions>, BlobStorageOptionsValidator>();
        services.AddSingleton<IBlobStore>(sp => Create(sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value));
        // The filesystem store stages puts in {root}/.tmp; a second instance over the same root is stateless.
        services.AddSingleton<IBlobStagingArea>(sp => sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value is { Provider: BlobStorageProvider.FileSystem } o
            ? new FileSystemBlobStore(o.FileSystem.Root)
            : new NothingStaged());
        services.AddSingleton<BlobStoreHealthCheck>();
        return services;
    }

    internal static IBlobStore Create(BlobStorageOptions options) => options.Provider switch
    {
        BlobStorageProvider.Gcs => new GcsBlobStore(options.Gcs),
        BlobStorageProvider.S3 => new S3BlobStore(options.S3),
        _ => new FileSystemBlobStore(options.FileSystem.Root),
    };

    /// <summary>Cloud stores stage nothing on this machine.</summary>
    private sealed class NothingStaged : IBlobStagingArea
    {
        public Task<int> DeleteStaleAsync(TimeSpan olderThan, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}
