using Hoomi.Client.Crypto;

namespace Hoomi.Client.Tests.Crypto;

public class CompressionPolicyTests
{
    [TestCase("text/plain")]
    [TestCase("text/html; charset=utf-8")]
    [TestCase("TEXT/CSV")]
    [TestCase("application/json")]
    [TestCase("application/vnd.api+json")]
    [TestCase("application/xml")]
    [TestCase("application/atom+xml")]
    [TestCase("image/svg+xml")]
    [TestCase("application/javascript")]
    public void Text_like_types_are_compressed(string mimeType) => Assert.That(CompressionPolicy.ShouldCompress(mimeType), Is.True);

    [TestCase("video/mp4")]
    [TestCase("audio/mpeg")]
    [TestCase("image/jpeg")]
    [TestCase("image/png")]
    [TestCase("application/octet-stream")]
    [TestCase("application/zip")]
    [TestCase("application/pdf")]
    [TestCase("")]
    [TestCase(null)]
    public void Media_and_binary_types_are_not(string? mimeType) => Assert.That(CompressionPolicy.ShouldCompress(mimeType), Is.False);
}
