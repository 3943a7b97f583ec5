using Hoomi.Domain.Common;

namespace Hoomi.Domain.Tests.Common;

public sealed class Base64UrlTests
{
    [TestCase(new byte[0], "")]
    [TestCase(new byte[] { 0xfb, 0xff }, "-_8")]
    [TestCase(new byte[] { 0x00 }, "AA")]
    [TestCase(new byte[] { 0x00, 0x00 }, "AAA")]
    [TestCase(new byte[] { 0x00, 0x00, 0x00 }, "AAAA")]
    public void Encoding_is_unpadded_url_safe_and_decodes_back(byte[] data, string text)
    {
        Assert.That(Base64Url.Encode(data), Is.EqualTo(text));
        Assert.That(Base64Url.TryDecode(text, out var decoded), Is.True);
        Assert.That(decoded, Is.EqualTo(data));
    }

    [TestCase("AA==", TestName = "Padding_is_refused")]
    [TestCase("AAA=", TestName = "A_single_pad_character_is_refused")]
    [TestCase("+_8", TestName = "A_plus_sign_is_refused")]
    [TestCase("-/8", TestName = "A_slash_is_refused")]
    [TestCase("AA AA", TestName = "Whitespace_is_refused")]
    [TestCase("AAAAA", TestName = "A_length_of_one_more_than_a_multiple_of_four_is_refused")]
    [TestCase("AB", TestName = "Non_zero_spare_bits_in_the_last_character_are_refused")]
    [TestCase("AAB", TestName = "Non_zero_spare_bits_after_two_bytes_are_refused")]
    [TestCase("é", TestName = "Non_ascii_characters_are_refused")]
    [TestCase(null, TestName = "Null_is_refused")]
    public void Non_canonical_or_foreign_text_is_refused(string? text)
    {
        Assert.That(Base64Url.TryDecode(text, out var bytes), Is.False);
        Assert.That(bytes, Is.Empty);
    }

    [Test]
    public void Is_of_length_checks_the_decoded_length_exactly()
    {
        var text = Base64Url.Encode(new byte[32]);
        Assert.Multiple(() =>
        {
            Assert.That(Base64Url.IsOfLength(text, 32), Is.True);
            Assert.That(Base64Url.IsOfLength(text, 31), Is.False);
            Assert.That(Base64Url.IsOfLength(text, 33), Is.False);
            Assert.That(Base64Url.IsOfLength(text + "=", 32), Is.False);
            Assert.That(Base64Url.IsOfLength(null, 0), Is.False);
        });
    }
}
