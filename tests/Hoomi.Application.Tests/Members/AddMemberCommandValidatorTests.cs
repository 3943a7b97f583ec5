using Hoomi.Application.Members.Commands.AddMember;

namespace Hoomi.Application.Tests.Members;

public sealed class AddMemberCommandValidatorTests
{
    private readonly AddMemberCommandValidator _validator = new();

    [Test]
    public void A_user_name_is_valid() =>
        Assert.That(_validator.Validate(new AddMemberCommand(Guid.NewGuid(), "bob@example.com")).IsValid, Is.True);

    [TestCase("")]
    [TestCase(" \t ")]
    [TestCase(null)]
    public void A_blank_user_name_is_refused_on_user_name(string? userName)
    {
        var result = _validator.Validate(new AddMemberCommand(Guid.NewGuid(), userName!));
        Assert.That(result.Errors.Select(e => e.PropertyName), Is.EqualTo(new[] { "UserName" }));
    }

    [Test]
    public void A_user_name_of_256_characters_is_valid_and_257_is_refused()
    {
        Assert.That(_validator.Validate(new AddMemberCommand(Guid.NewGuid(), new string('b', 256))).IsValid, Is.True);
        var result = _validator.Validate(new AddMemberCommand(Guid.NewGuid(), new string('b', 257)));
        Assert.That(result.Errors.Select(e => e.PropertyName), Is.EqualTo(new[] { "UserName" }));
    }

    [TestCase("bob@example.com\r\nX-Injected: 1")]
    [TestCase("bob\u0000@example.com")]
    [TestCase("bob\u202E@example.com")]
    public void A_user_name_with_control_or_direction_characters_is_refused(string userName)
    {
        var result = _validator.Validate(new AddMemberCommand(Guid.NewGuid(), userName));
        Assert.That(result.Errors.Select(e => e.PropertyName), Is.EqualTo(new[] { "UserName" }));
    }
}
