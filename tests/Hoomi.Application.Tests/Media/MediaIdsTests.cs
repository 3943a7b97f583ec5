using Hoomi.Application.Media;

namespace Hoomi.Application.Tests.Media;

public sealed class MediaIdsTests
{
    [Test]
    public void A_fresh_uuidv7_is_accepted() => Assert.That(MediaIds.IsCanonicalV7(Guid.CreateVersion7().ToString()), Is.True);

    [TestCase("0193f2a4-1234-7abc-0def-0123456789ab", Description = "NCS variant")]
    [TestCase("0193f2a4-1234-7abc-cdef-0123456789ab", Description = "Microsoft variant")]
    [TestCase("0193f2a4-1234-7abc-edef-0123456789ab", Description = "reserved variant")]
    [TestCase("0193f2a4-1234-4abc-8def-0123456789ab", Description = "version 4")]
    [TestCase("0193F2A4-1234-7ABC-8DEF-0123456789AB", Description = "upper case")]
    [TestCase("{0193f2a4-1234-7abc-8def-0123456789ab}", Description = "braces")]
    [TestCase(null)]
    public void Anything_but_a_canonical_rfc_uuidv7_is_refused(string? id) => Assert.That(MediaIds.IsCanonicalV7(id), Is.False);
}
