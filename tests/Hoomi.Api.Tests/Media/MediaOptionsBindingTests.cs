using Hoomi.Application.Media;
using Microsoft.Extensions.Configuration;

namespace Hoomi.Api.Tests.Media;

/// <summary>How <c>Hoomi:Media:AllowedMimeTypes</c> binds from configuration (as the API binds it).</summary>
public sealed class MediaOptionsBindingTests
{
    [Test]
    public void A_configured_list_replaces_the_default_instead_of_adding_to_it()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Hoomi:Media:AllowedMimeTypes:0"] = "image/*" })
            .Build();
        var options = new MediaOptions();
        configuration.GetSection(MediaOptions.Section).Bind(options);
        Assert.That(options.IsAllowed("image/png"), Is.True);
        Assert.That(options.IsAllowed("application/octet-stream"), Is.False);
    }

    [Test]
    public void Without_configuration_any_type_is_allowed()
    {
        var options = new MediaOptions();
        new ConfigurationBuilder().Build().GetSection(MediaOptions.Section).Bind(options);
        Assert.That(options.IsAllowed("application/octet-stream"), Is.True);
        Assert.That(options.IsAllowed("application/x-iso9660-image"), Is.True);
    }
}
