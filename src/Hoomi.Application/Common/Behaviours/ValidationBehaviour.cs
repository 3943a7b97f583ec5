using FluentValidation;
using Mediator;
using ValidationException = Hoomi.Application.Common.Exceptions.ValidationException;

namespace Hoomi.Application.Common.Behaviours;

/// <summary>
/// Runs every FluentValidation validator of the message before its handler, after authorization
/// (<c>HoomiAuthorizationBehaviour</c>: an outsider learns nothing from a validation error). What cannot be checked
/// before the handler runs, the streamed body of an upload (its HME1 header, length rule and SHA-256), is checked as
/// it is read, by the upload handler.
/// </summary>
public sealed class ValidationBehaviour<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private readonly IValidator<TMessage>[] _validators = validators.ToArray();

    // A message without validators (most queries, the download) passes straight through: no async state machine.
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken) =>
        _validators.Length == 0 ? next(message, cancellationToken) : ValidatedAsync(message, next, cancellationToken);

    private async ValueTask<TResponse> ValidatedAsync(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var context = new ValidationContext<TMessage>(message);
        List<FluentValidation.Results.ValidationFailure>? failures = null; // only for a refusal
        foreach (var validator in _validators)
        {
            var result = await validator.ValidateAsync(context, cancellationToken).ConfigureAwait(false);
            if (result.Errors.Count > 0)
            {
                (failures ??= []).AddRange(result.Errors);
            }
        }

        if (failures is not null)
        {
            var errors = failures
                .GroupBy(f => ToCamelCase(f.PropertyName), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
            // A size or type refusal outranks plain field errors: the client must change the file, not a field.
            var codes = failures.Select(f => f.ErrorCode).ToHashSet(StringComparer.Ordinal);
            var code = codes.Contains(ValidationException.TooLargeCode) ? ValidationException.TooLargeCode
                : codes.Contains(ValidationException.UnsupportedMediaTypeCode) ? ValidationException.UnsupportedMediaTypeCode
                : ValidationException.DefaultCode;
            throw new ValidationException(errors, code);
        }

        return await next(message, cancellationToken).ConfigureAwait(false);
    }

    // Field names in errors use the wire's camelCase ("wrappedKeys[0].enc"), not C# property names.
    private static string ToCamelCase(string path) =>
        string.Join('.', path.Split('.').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));
}
