using Microsoft.Extensions.Configuration;
using Hoomi.Application.Media;

namespace Hoomi.Application.Tests.Media;

public sealed class MediaOptionsTests
{
    private static MediaOptions With(params string[] allowed) => new() { AllowedMimeTypes = [.. allowed] };

    [TestCase("image/png")]
    [TestCase("image/jpeg")]
    [TestCase("image/svg+xml")]
    [TestCase("video/mp4")]
    [TestCase("audio/ogg")]
    [TestCase("text/plain")]
    [TestCase("application/pdf")]
    [TestCase("application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    [TestCase("application/zip")]
    public void The_common_list_allows_media_documents_and_archives(string mimeType) =>
        Assert.That(With([.. MediaOptions.CommonTypes]).IsAllowed(mimeType), Is.True);

    [TestCase("application/octet-stream")]
    [TestCase("application/vnd.android.package-archive")]
    [TestCase("application/x-iso9660-image")]
    [TestCase("font/woff2")]
    [TestCase("image/png")]
    public void By_default_any_concrete_type_is_accepted(string mimeType) =>
        Assert.That(new MediaOptions().IsAllowed(mimeType), Is.True);

    [TestCase("application/x-msdownload")]
    [TestCase("application/javascript")]
    [TestCase("font/woff2")]
    public void The_common_list_refuses_unlisted_types(string mimeType) =>
        Assert.That(With([.. MediaOptions.CommonTypes]).IsAllowed(mimeType), Is.False);

    [Test]
    public void A_configured_list_replaces_the_default_instead_of_adding_to_it()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Hoomi:Media:AllowedMimeTypes:0"] = "image/*" })
            .Build();
        var options = new MediaOptions();
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(configuration.GetSection(MediaOptions.Section), options);
        Assert.That(options.IsAllowed("image/png"), Is.True);
        Assert.That(options.IsAllowed("application/octet-stream"), Is.False);
    }

    [TestCase("image/png", true)]
    [TestCase("image/x-anything", true)]
    [TestCase("image/", false)]
    [TestCase("image", false)]
    [TestCase("imagex/png", false)]
    [TestCase("video/mp4", false)]
    [TestCase("xyz/image/png", false)]
    public void A_wildcard_allows_every_subtype_of_its_top_level_type_only(string mimeType, bool allowed) =>
        Assert.That(With("image/*").IsAllowed(mimeType), Is.EqualTo(allowed));

    [TestCase("application/pdf", true)]
    [TestCase("application/pdfx", false)]
    [TestCase("application/pd", false)]
    [TestCase("application/", false)]
    [TestCase("application/json", false)]
    public void An_exact_entry_allows_only_that_type(string mimeType, bool allowed) =>
        Assert.That(With("application/pdf").IsAllowed(mimeType), Is.EqualTo(allowed));

    [TestCase("text/plain; charset=utf-8")]
    [TestCase("text/plain;charset=utf-8")]
    [TestCase("text/plain ; charset=utf-8")]
    [TestCase("application/pdf; name=\"a;b\"")]
    public void Parameters_after_a_semicolon_are_ignored(string mimeType) =>
        Assert.That(With("text/*", "application/pdf").IsAllowed(mimeType), Is.True);

    [Test]
    public void Parameters_do_not_smuggle_a_refused_type_in() =>
        Assert.That(With("text/*").IsAllowed("application/x-msdownload; x=text/plain"), Is.False);

    [TestCase("IMAGE/PNG")]
    [TestCase("Image/Png")]
    [TestCase("APPLICATION/PDF")]
    public void Matching_ignores_case(string mimeType) =>
        Assert.That(With("image/*", "application/pdf").IsAllowed(mimeType), Is.True);

    [Test]
    public void Matching_ignores_case_of_the_configured_entries_too() =>
        Assert.That(With("Image/*", "Application/PDF").IsAllowed("image/png") && With("Application/PDF").IsAllowed("application/pdf"), Is.True);

    [TestCase("  image/png  ")]
    [TestCase("\timage/png")]
    public void Surrounding_white_space_is_ignored(string mimeType) =>
        Assert.That(With("image/*").IsAllowed(mimeType), Is.True);

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase(";")]
    [TestCase("; charset=utf-8")]
    public void An_empty_type_is_never_allowed(string? mimeType) =>
        Assert.That(With("image/*", "application/pdf").IsAllowed(mimeType), Is.False);

    [Test]
    public void An_empty_list_is_the_same_as_none_configured_and_allows_any_concrete_type() =>
        Assert.That(With().IsAllowed("image/png"), Is.True); // configuration cannot tell an empty list from an unset one

    [TestCase("image/*")]
    [TestCase("*/*")]
    [TestCase("*/png")]
    [TestCase("/png")]
    public void A_declared_type_must_be_one_concrete_type(string mimeType) =>
        Assert.That(With("image/*", "*/*").IsAllowed(mimeType), Is.False);

    [TestCase("application/x-anything")]
    [TestCase("font/woff2")]
    public void A_star_slash_star_entry_allows_any_concrete_type(string mimeType) =>
        Assert.That(With("*/*").IsAllowed(mimeType), Is.True);
}
