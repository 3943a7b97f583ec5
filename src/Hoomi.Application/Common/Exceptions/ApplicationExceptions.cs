namespace Hoomi.Application.Common.Exceptions;

/// <summary>
/// Input that fails validation; <see cref="Errors"/> lists the messages per field. <see cref="Code"/> is
/// <c>validation</c> (400) unless a rule marked the failure as <see cref="TooLargeCode"/> (413) or
/// <see cref="UnsupportedMediaTypeCode"/> (415).
/// </summary>
public sealed class ValidationException(IReadOnlyDictionary<string, string[]> errors, string code = ValidationException.DefaultCode)
    : Exception("One or more validation errors occurred.")
{
    public const string DefaultCode = "validation";
    public const string TooLargeCode = "too-large";
    public const string UnsupportedMediaTypeCode = "unsupported-media-type";

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public string Code { get; } = code;

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

/// <summary>The request was well-formed but its content does not match what it declared (size or hash) → 422.</summary>
public sealed class UnprocessableContentException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>The request body ended or broke before the upload was complete (client gone or truncated multipart).</summary>
public sealed class UploadInterruptedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The upload body arrived too slowly (below the minimum data rate) or paused longer than the idle timeout → 408
/// <c>upload-too-slow</c>; nothing of it is kept and its reservation is released.
/// </summary>
public sealed class UploadTooSlowException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The upload does not fit in the hoomi's storage quota → 507, stating used, quota and requested bytes.</summary>
public sealed class QuotaExceededException(long usedBytes, long quotaBytes, long requestedBytes)
    : Exception($"The hoomi uses {usedBytes} of its {quotaBytes} bytes; {requestedBytes} more do not fit.")
{
    public long UsedBytes { get; } = usedBytes;

    public long QuotaBytes { get; } = quotaBytes;

    public long RequestedBytes { get; } = requestedBytes;
}

/// <summary>A cursor older than what is still kept (→ 410): the client resynchronises from the current state.</summary>
public sealed class CursorExpiredException(string message) : Exception(message);
