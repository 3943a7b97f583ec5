using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace Hoomi.Application;

public static class DependencyInjection
{
    /// <summary>Registers the validators. The mediator itself is generated and registered in the Api (AddMediator).</summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        services.AddValidatorsFromAssemblyContaining<ApplicationAssembly>(ServiceLifetime.Singleton, includeInternalTypes: true);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Media.ThumbnailCache>();
        services.AddScoped<Events.HoomiEventOutbox>();
        services.AddScoped<Common.Authorization.HoomiAccessContext>();
        return services;
    }
}

/// <summary>Marker for assembly scanning.</summary>
public sealed class ApplicationAssembly;
