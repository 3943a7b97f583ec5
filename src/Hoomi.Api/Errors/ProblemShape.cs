using Microsoft.AspNetCore.Mvc;

namespace Hoomi.Api.Errors;

/// <summary>
/// Gives every problem response the service's own shape, also those it does not write itself: ASP.NET Core Identity's
/// account endpoints (a wrong password's <c>401</c>, registration's validation <c>400</c>, ...) and the status-code pages
/// of bodyless answers (<c>404</c> of an unknown route, <c>405</c>). A problem without a <c>urn:hoomi:problem:</c> type
/// gets the type and title the exception handler gives the same status; what the framework said stays as detail.
/// </summary>
public static class ProblemShape
{
    public const string TypePrefix = "urn:hoomi:problem:";

    public static void Apply(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = context.ProblemDetails;
        if (problem.Type?.StartsWith(TypePrefix, StringComparison.Ordinal) == true)
        {
            return;
        }

        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        var (code, title) = status switch
        {
            StatusCodes.Status400BadRequest when problem is HttpValidationProblemDetails => ("validation", "The request is not valid."),
            StatusCodes.Status400BadRequest => ("malformed-request", "The request could not be read."),
            StatusCodes.Status401Unauthorized => ("unauthenticated", "Authentication is required."),
            StatusCodes.Status403Forbidden => ("forbidden", "You are not allowed to do this."),
            StatusCodes.Status404NotFound => ("not-found", "Not found."),
            StatusCodes.Status405MethodNotAllowed => ("method-not-allowed", "This method is not allowed here."),
            StatusCodes.Status409Conflict => ("conflict", "The request conflicts with the current state."),
            StatusCodes.Status413PayloadTooLarge => ("too-large", "The request body is too large."),
            StatusCodes.Status415UnsupportedMediaType => ("unsupported-media-type", "The request's content type is not supported here."),
            StatusCodes.Status429TooManyRequests => ("rate-limited", "Rate limit reached; retry later."),
            >= 500 => ("internal", "An unexpected error occurred."),
            _ => ("error", "The request failed."),
        };
        problem.Status = status;
        problem.Type = ProblemDetailsExceptionHandler.Type(code);
        problem.Title = title;
        problem.Detail = problem.Detail switch
        {
            // Identity's sign-in results (SignInResult.ToString()): the same answer for an unknown account and a wrong password.
            "Failed" => "The user name or password is wrong.",
            "NotAllowed" => "This account may not log in yet.",
            "LockedOut" => "The user name or password is wrong.",
            "RequiresTwoFactor" => "A second factor is required.",
            var detail when problem is HttpValidationProblemDetails => detail ?? "See errors for the fields at fault.",
            var detail => detail,
        };
    }
}
