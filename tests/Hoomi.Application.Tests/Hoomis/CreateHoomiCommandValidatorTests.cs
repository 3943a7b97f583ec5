using Hoomi.Application.Hoomis.Commands.CreateHoomi;
using Hoomi.Domain.Hoomis;

namespace Hoomi.Application.Tests.Hoomis;

public sealed class CreateHoomiCommandValidatorTests
{
    private readonly CreateHoomiCommandValidator _validator = new();

    [TestCase("Family")]
    [TestCase("  Holidays 2026 ")]
    [TestCase("x")]
    public void A_name_of_1_to_100_characters_is_valid(string name) =>
        Assert.That(_validator.Validate(new CreateHoomiCommand(name)).IsValid, Is.True);

    [Test]
    public void A_name_of_exactly_the_maximum_length_is_valid() =>
        Assert.That(_validator.Validate(new CreateHoomiCommand(new string('x', HoomiGroup.MaxNameLength))).IsValid, Is.True);

    [TestCase("")]
    [TestCase("   ")]
    [TestCase(null)]
    public void A_blank_name_is_refused_on_name(string? name)
    {
        var result = _validator.Validate(new CreateHoomiCommand(name!));
        Assert.That(result.Errors.Select(e => e.PropertyName), Is.EqualTo(new[] { "Name" }));
        Assert.That(result.Errors[0].ErrorMessage, Is.EqualTo("A hoomi needs a name."));
    }

    [Test]
    public void A_name_longer_than_the_maximum_is_refused_on_name()
    {
        var result = _validator.Validate(new CreateHoomiCommand(new string('x', HoomiGroup.MaxNameLength + 1)));
        Assert.That(result.Errors.Select(e => e.PropertyName), Is.EqualTo(new[] { "Name" }));
    }
}
