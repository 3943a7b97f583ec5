using FluentValidation;
using FluentValidation.Results;
using Hoomi.Application.Common.Behaviours;
using Mediator;
using Moq;
using ValidationException = Hoomi.Application.Common.Exceptions.ValidationException;

namespace Hoomi.Application.Tests.Common.Behaviours;

public sealed class ValidationBehaviourTests
{
    public sealed record TestCommand(string Name) : ICommand<string>;

    private int _handlerCalls;

    private ValueTask<string> Handler(TestCommand message, CancellationToken cancellationToken)
    {
        _handlerCalls++;
        return ValueTask.FromResult("handled " + message.Name);
    }

    private static Mock<IValidator<TestCommand>> ValidatorReturning(params ValidationFailure[] failures)
    {
        var validator = new Mock<IValidator<TestCommand>>();
        validator.Setup(v => v.ValidateAsync(It.IsAny<IValidationContext>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ValidationResult(failures));
        return validator;
    }

    private static IValidator<TestCommand> Returning(params ValidationFailure[] failures) => ValidatorReturning(failures).Object;

    [SetUp]
    public void Reset() => _handlerCalls = 0;

    [Test]
    public async Task A_valid_message_reaches_the_handler_and_its_answer_comes_back()
    {
        var validator = ValidatorReturning();
        var behaviour = new ValidationBehaviour<TestCommand, string>([validator.Object]);

        var result = await behaviour.Handle(new TestCommand("x"), Handler, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo("handled x"));
            Assert.That(_handlerCalls, Is.EqualTo(1));
        });
        validator.Verify(v => v.ValidateAsync(It.Is<IValidationContext>(c => ((TestCommand)c.InstanceToValidate).Name == "x"), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task A_message_without_validators_reaches_the_handler()
    {
        var behaviour = new ValidationBehaviour<TestCommand, string>([]);
        Assert.That(await behaviour.Handle(new TestCommand("x"), Handler, CancellationToken.None), Is.EqualTo("handled x"));
    }

    [Test]
    public void An_invalid_message_never_reaches_the_handler_and_fails_with_the_field_errors()
    {
        var behaviour = new ValidationBehaviour<TestCommand, string>([Returning(new ValidationFailure("Name", "A name is needed."))]);

        var error = Assert.ThrowsAsync<ValidationException>(async () => await behaviour.Handle(new TestCommand(""), Handler, CancellationToken.None))!;

        Assert.Multiple(() =>
        {
            Assert.That(_handlerCalls, Is.Zero);
            Assert.That(error.Code, Is.EqualTo(ValidationException.DefaultCode));
            Assert.That(error.Errors.Keys, Is.EquivalentTo(new[] { "name" }));
            Assert.That(error.Errors["name"], Is.EqualTo(new[] { "A name is needed." }));
        });
    }

    [TestCase("PublicKey", "publicKey")]
    [TestCase("WrappedKeys[0].RecipientKeyId", "wrappedKeys[0].recipientKeyId")]
    [TestCase("Thumbnail.Sha256", "thumbnail.sha256")]
    [TestCase("", "")]
    public void Field_names_are_camel_cased_as_on_the_wire(string propertyName, string field)
    {
        var behaviour = new ValidationBehaviour<TestCommand, string>([Returning(new ValidationFailure(propertyName, "bad"))]);

        var error = Assert.ThrowsAsync<ValidationException>(async () => await behaviour.Handle(new TestCommand(""), Handler, CancellationToken.None))!;
        Assert.That(error.Errors.Keys, Is.EquivalentTo(new[] { field }));
    }

    [Test]
    public void Failures_of_every_validator_are_collected_per_field_without_duplicates()
    {
        var first = ValidatorReturning(new ValidationFailure("Name", "Too long."), new ValidationFailure("Name", "Not allowed."));
        var second = ValidatorReturning(new ValidationFailure("Name", "Too long."), new ValidationFailure("Size", "Negative."));
        var behaviour = new ValidationBehaviour<TestCommand, string>([first.Object, second.Object]);

        var error = Assert.ThrowsAsync<ValidationException>(async () => await behaviour.Handle(new TestCommand(""), Handler, CancellationToken.None))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Errors["name"], Is.EqualTo(new[] { "Too long.", "Not allowed." }));
            Assert.That(error.Errors["size"], Is.EqualTo(new[] { "Negative." }));
            Assert.That(_handlerCalls, Is.Zero);
        });
    }

    [Test]
    public void A_too_large_failure_outranks_plain_field_errors()
    {
        var tooLarge = new ValidationFailure("Size", "Too large.") { ErrorCode = ValidationException.TooLargeCode };
        var behaviour = new ValidationBehaviour<TestCommand, string>(
            [Returning(new ValidationFailure("Name", "bad"), tooLarge, new ValidationFailure("MimeType", "x") { ErrorCode = ValidationException.UnsupportedMediaTypeCode })]);

        var error = Assert.ThrowsAsync<ValidationException>(async () => await behaviour.Handle(new TestCommand(""), Handler, CancellationToken.None))!;
        Assert.That(error.Code, Is.EqualTo(ValidationException.TooLargeCode));
    }

    [Test]
    public void An_unsupported_media_type_failure_outranks_plain_field_errors()
    {
        var behaviour = new ValidationBehaviour<TestCommand, string>(
            [Returning(new ValidationFailure("Name", "bad"), new ValidationFailure("MimeType", "x") { ErrorCode = ValidationException.UnsupportedMediaTypeCode })]);

        var error = Assert.ThrowsAsync<ValidationException>(async () => await behaviour.Handle(new TestCommand(""), Handler, CancellationToken.None))!;
        Assert.That(error.Code, Is.EqualTo(ValidationException.UnsupportedMediaTypeCode));
    }

    [Test]
    public async Task The_cancellation_token_reaches_the_validators()
    {
        using var cts = new CancellationTokenSource();
        var validator = ValidatorReturning();
        var behaviour = new ValidationBehaviour<TestCommand, string>([validator.Object]);

        await behaviour.Handle(new TestCommand("x"), Handler, cts.Token);

        validator.Verify(v => v.ValidateAsync(It.IsAny<IValidationContext>(), cts.Token), Times.Once);
    }
}
