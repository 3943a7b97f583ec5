using Hoomi.Client.Crypto;

namespace Hoomi.Client.Tests.Crypto;

public class Base64UrlTests
{
    [Test]
    public void Encoding_is_unpadded_and_url_safe_and_round_trips_every_length()
    {
        var data = Enumerable.Range(0, 70).Select(i => (byte)(250 - (i * 3))).ToArray();
        for (var n = 0; n <= data.Length; n++)
        {
            var text = Base64Url.Encode(data.AsSpan(0, n));
            Assert.That(text, Does.Not.Contain("=").And.Not.Contain("+").And.Not.Contain("/"));
            Assert.That(Base64Url.Decode(text), Is.EqualTo(data[..n]));
        }
    }

    [TestCase("", new byte[0])]
    [TestCase("AA", new byte[] { 0 })]
    [TestCase("_-8", new byte[] { 0xff, 0xef })]
    [TestCase("-_-_", new byte[] { 0xfb, 0xff, 0xbf })]
    public void Known_values_decode(string text, byte[] expected) => Assert.That(Base64Url.Decode(text), Is.EqualTo(expected));

    [TestCase("AA==", Description = "padding")]
    [TestCase("AA=", Description = "partial padding")]
    [TestCase("+/8", Description = "standard alphabet")]
    [TestCase("ab+c", Description = "plus")]
    [TestCase("ab/c", Description = "slash")]
    [TestCase("AB", Description = "non-zero trailing bits in a 1-byte group")]
    [TestCase("AAB", Description = "non-zero trailing bits in a 2-byte group")]
    [TestCase("A", Description = "impossible length")]
    [TestCase("AAAAA", Description = "impossible length")]
    [TestCase("AA AA", Description = "whitespace")]
    [TestCase("AA\nAA", Description = "newline")]
    [TestCase("ÄA", Description = "non-ASCII")]
    public void Non_canonical_text_is_refused(string text)
    {
        Assert.That(Base64Url.TryDecode(text, out _), Is.False);
        Assert.That(() => Base64Url.Decode(text), Throws.InstanceOf<FormatException>());
    }

    [Test]
    public void Decoding_with_an_expected_length_refuses_other_lengths()
    {
        Assert.That(Base64Url.Decode("AAAA", 3), Has.Length.EqualTo(3));
        Assert.That(() => Base64Url.Decode("AAAA", 4), Throws.InstanceOf<FormatException>());
    }
}
