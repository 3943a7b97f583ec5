using Hoomi.Api.Auth;
using Hoomi.Application.Common.Exceptions;
using Hoomi.Domain.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Hoomi.Api.Errors;

/// <summary>
/// Turns the exceptions the application throws into RFC 9457 problem details. Each kind of error has a stable
/// <c>type</c> (<c>urn:hoomi:problem:CODE</c>) and title; handlers and the domain never see status codes.
/// <see cref="ProblemShape"/> gives the problems the framework writes itself (Identity's answers, bodyless status
/// codes) the same shape.
/// </summary>
public sealed partial class ProblemDetailsExceptionHandler(IProblemDetailsService problemDetails, ILogger<ProblemDetailsExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            httpContext.Response.StatusCode = 499;
            return true;
        }

        var problem = Map(exception);
        if (problem is null)
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Type = Type("internal"),
                Title = "An unexpected error occurred.",
            };
        }

        if (exception is LoginThrottledException throttled)
        {
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(throttled.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (exception is StorageUnavailableException unavailable)
        {
            httpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(unavailable.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "5";
        }

        httpContext.Response.StatusCode = problem.Status ?? 500;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        }).ConfigureAwait(false);
    }

    public static string Type(string code) => "urn:hoomi:problem:" + code;

    private static ProblemDetails? Map(Exception exception) => exception switch
    {
        ValidationException v => new HttpValidationProblemDetails(v.Errors.ToDictionary(e => e.Key, e => e.Value))
        {
            Status = v.Code switch
            {
                ValidationException.TooLargeCode => StatusCodes.Status413PayloadTooLarge,
                ValidationException.UnsupportedMediaTypeCode => StatusCodes.Status415UnsupportedMediaType,
                _ => StatusCodes.Status400BadRequest,
            },
            Type = Type(v.Code),
            Title = v.Code switch
            {
                ValidationException.TooLargeCode => "The file is too large.",
                ValidationException.UnsupportedMediaTypeCode => "This type of file is not allowed.",
                _ => "The request is not valid.",
            },
            Detail = "See errors for the fields at fault.",
        },
        DomainException { Kind: DomainErrorKind.Invalid } d => Problem(StatusCodes.Status400BadRequest, d.Code, "The request is not valid.", d.Message),
        DomainException { Kind: DomainErrorKind.Conflict } d => Problem(StatusCodes.Status409Conflict, d.Code, "The request conflicts with the current state.", d.Message),
        DomainException { Kind: DomainErrorKind.Forbidden } d => Problem(StatusCodes.Status403Forbidden, d.Code, "You are not allowed to do this.", d.Message),
        NotFoundException n => Problem(StatusCodes.Status404NotFound, "not-found", "Not found.", n.Message),
        ConflictException c => WithExtensions(Problem(StatusCodes.Status409Conflict, c.Code, "The request conflicts with the current state.", c.Message), c.Details),
        UnprocessableContentException u => Problem(StatusCodes.Status422UnprocessableEntity, u.Code, "The content does not match what was declared.", u.Message),
        UploadTooSlowException t => Problem(StatusCodes.Status408RequestTimeout, "upload-too-slow", "The upload arrived too slowly.", t.Message),
        UploadInterruptedException i => Problem(StatusCodes.Status400BadRequest, "upload-interrupted", "The upload did not arrive whole.", i.Message),
        BlobNotFoundException => Problem(StatusCodes.Status404NotFound, "content-missing", "The stored content is missing.", null),
        QuotaExceededException q => WithExtensions(
            Problem(StatusCodes.Status507InsufficientStorage, "quota-exceeded", "The hoomi's storage quota is full.", q.Message),
            new Dictionary<string, object?> { ["usedBytes"] = q.UsedBytes, ["quotaBytes"] = q.QuotaBytes, ["requestedBytes"] = q.RequestedBytes }),
        CursorExpiredException e => Problem(StatusCodes.Status410Gone, "cursor-expired", "The cursor is too old.", e.Message),
        ForbiddenException f => Problem(StatusCodes.Status403Forbidden, "forbidden", "You are not allowed to do this.", f.Message),
        UnauthorizedAccessException => Problem(StatusCodes.Status401Unauthorized, "unauthenticated", "Authentication is required.", null),
        LoginThrottledException => Problem(StatusCodes.Status429TooManyRequests, "rate-limited", "Rate limit reached; retry later.", "Too many failed logins; retry later."),
        InsufficientStorageException => Problem(StatusCodes.Status507InsufficientStorage, "insufficient-storage",
            "The server has no storage space left; try again later.", "Nothing of this request was stored."),
        StorageUnavailableException => Problem(StatusCodes.Status503ServiceUnavailable, "storage-unavailable", "The storage service is unavailable; try again later.", null),
        _ when IsDatabaseUnreachable(exception) => Problem(StatusCodes.Status503ServiceUnavailable, "database-unavailable",
            "The database is unavailable; try again later.", "Nothing of this request was stored."),
        BadHttpRequestException b => Problem(b.StatusCode, BadRequestCode(b.StatusCode), BadRequestTitle(b.StatusCode), b.Message),
        _ => null,
    };

    /// <summary>
    /// The database could not be reached (connection refused or broken, the server shutting down): a transient
    /// <see cref="System.Data.Common.DbException"/>, bare or wrapped by EF Core. Constraint violations are not transient.
    /// </summary>
    private static bool IsDatabaseUnreachable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is System.Data.Common.DbException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }

    private static ProblemDetails Problem(int status, string code, string title, string? detail) =>
        new() { Status = status, Type = Type(code), Title = title, Detail = detail };

    private static ProblemDetails WithExtensions(ProblemDetails problem, IReadOnlyDictionary<string, object?> extensions)
    {
        foreach (var (key, value) in extensions)
        {
            problem.Extensions[key] = value;
        }

        return problem;
    }

    private static string BadRequestCode(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "too-large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported-media-type",
        _ => "malformed-request",
    };

    private static string BadRequestTitle(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status415UnsupportedMediaType => "The request's content type is not supported here.",
        _ => "The request could not be read.",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path);
}
