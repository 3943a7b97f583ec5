using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Hoomi.Api.OpenApi;

/// <summary>
/// Describes the error answers of every operation in one place: each gets the RFC 9457 problem responses it can
/// give (<c>application/problem+json</c>, <see cref="HttpValidationProblemDetails"/>), so that a client generated from
/// <c>/openapi/v1.json</c> knows them. Endpoints keep declaring their success shapes themselves.
/// </summary>
internal sealed class ProblemResponsesTransformer : IOpenApiOperationTransformer
{
    private const string SchemaId = "ProblemDetails";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var path = "/" + (description.RelativePath ?? "").TrimStart('/');
        var method = description.HttpMethod ?? "GET";
        var anonymous = description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any()
            || path.StartsWith("/auth/", StringComparison.Ordinal) || path.StartsWith("/health", StringComparison.Ordinal);
        var statuses = new SortedDictionary<int, string>
        {
            [400] = "The request is malformed; `errors` lists the fields at fault.",
            [500] = "An unexpected error; the problem's `traceId` finds it in the logs.",
            [429] = "Rate limit reached; retry after `Retry-After` seconds.",
            [503] = "A dependency (database, blob store) is unavailable; retry after `Retry-After` seconds.",
        };
        if (!anonymous || path == "/auth/login")
        {
            statuses[401] = path == "/auth/login" ? "Wrong user name or password." : "No access token, or not a valid one.";
        }

        if (path.Contains('{', StringComparison.Ordinal))
        {
            statuses[404] = "No such resource, or the caller is not a member of its hoomi (the same answer).";
        }

        if (method is not "GET" and not "HEAD")
        {
            statuses[409] = "The request conflicts with the current state (see `type`).";
        }

        if (method == "DELETE" || path.EndsWith("/members", StringComparison.Ordinal))
        {
            statuses[403] = "The caller is a member but not allowed to do this.";
        }

        if (path == "/hoomis/{hoomiId}/media" && method == "POST")
        {
            statuses[413] = "The file or thumbnail is larger than allowed.";
            statuses[415] = "Not multipart/form-data, or the MIME type is not allowed here.";
            statuses[422] = "The stored bytes do not match the declared size or SHA-256.";
            statuses[507] = "The hoomi's storage quota (or the server's disk) cannot take the file.";
        }

        if (path.StartsWith("/hoomis/{hoomiId}/events", StringComparison.Ordinal))
        {
            statuses[410] = "The catch-up cursor is older than the journal keeps; reload the media list.";
        }

        if (path.StartsWith("/media/{mediaId}", StringComparison.Ordinal) && method is "GET" or "HEAD")
        {
            statuses[416] = "The requested range is outside the file.";
        }

        // One shared component, so that generated clients get one problem type rather than one per response.
        var document = context.Document!;
        if (document.Components?.Schemas?.ContainsKey(SchemaId) != true)
        {
            document.AddComponent<IOpenApiSchema>(SchemaId, await context.GetOrCreateSchemaAsync(typeof(HttpValidationProblemDetails), null, cancellationToken).ConfigureAwait(false));
        }

        var schema = new OpenApiSchemaReference(SchemaId, document);
        operation.Responses ??= [];
        foreach (var (status, text) in statuses)
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!operation.Responses.ContainsKey(key))
            {
                operation.Responses[key] = new OpenApiResponse
                {
                    Description = text,
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = schema } },
                };
            }
        }
    }
}

/// <summary>Enums travel as their names (<c>JsonStringEnumConverter</c>): the schema says so, so that generated clients read them as strings.</summary>
internal sealed class StringEnumSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (type.IsEnum)
        {
            schema.Type = JsonSchemaType.String;
        }

        return Task.CompletedTask;
    }
}
