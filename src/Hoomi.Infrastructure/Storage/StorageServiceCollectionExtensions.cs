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
        services.AddSingleton<BlobStoreHealthCheck>();
        return services;
    }

    internal static IBlobStore Create(BlobStorageOptions options) => options.Provider switch
    {
        BlobStorageProvider.Gcs => new GcsBlobStore(options.Gcs),
        BlobStorageProvider.S3 => new S3BlobStore(options.S3),
        _ => new FileSystemBlobStore(options.FileSystem.Root),
    };
}
