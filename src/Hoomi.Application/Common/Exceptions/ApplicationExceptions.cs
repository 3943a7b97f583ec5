namespace Hoomi.Application.Common.Exceptions;

/// <summary>Input that fails validation; <see cref="Errors"/> lists the messages per field.</summary>
public sealed class ValidationException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("One or more validation errors occurred.")
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static ValidationException For(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>Unknown, or not visible to the caller: a non-member sees the same answer as for an id that does not exist.</summary>
public sealed class NotFoundException(string what) : Exception($"{what} was not found.")
{
    public string What { get; } = what;
}

/// <summary>The request clashes with the current state. <see cref="Details"/> go into the ProblemDetails extensions.</summary>
public sealed class ConflictException(string code, string message, IReadOnlyDictionary<string, object?>? details = null)
    : Exception(message)
{
    public string Code { get; } = code;

    public IReadOnlyDictionary<string, object?> Details { get; } = details ?? new Dictionary<string, object?>();
}

/// <summary>The caller is a member but lacks the role the action needs.</summary>
public sealed class ForbiddenException(string message) : Exception(message);
