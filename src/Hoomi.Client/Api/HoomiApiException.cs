using System.Net;
using System.Text;
using System.Text.Json;

namespace Hoomi.Client.Api;

/// <summary>
/// An error answer of the API, carrying its RFC 9457 problem details (<c>type</c>, <c>title</c>, <c>detail</c>,
/// per-field <c>errors</c> and any extension members such as <c>missingKeyIds</c>).
/// </summary>
public sealed class HoomiApiException : Exception
{
    public HoomiApiException()
    {
    }

    public HoomiApiException(string message)
        : base(message)
    {
    }

    public HoomiApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HoomiApiException(HttpStatusCode status, string? type, string? title, string? detail, JsonElement? problem)
        : base(Describe(status, type, title, detail, problem))
    {
        StatusCode = status;
        Type = type;
        Title = title;
        Detail = detail;
        Problem = problem;
    }

    public HttpStatusCode StatusCode { get; }

    /// <summary>The problem type, e.g. <c>urn:hoomi:problem:wrapped-keys-out-of-date</c>.</summary>
    public string? Type { get; }

    public string? Title { get; }

    public string? Detail { get; }

    /// <summary>The whole problem document, for extension members.</summary>
    public JsonElement? Problem { get; }

    /// <summary>True when the problem type ends with <paramref name="code"/> (the part after <c>urn:hoomi:problem:</c>).</summary>
    public bool Is(string code) => Type is not null && Type.EndsWith(":" + code, StringComparison.Ordinal);

    internal static async Task<HoomiApiException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        JsonElement? problem = null;
        string? type = null, title = null, detail = null;
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(body))
            {
                using var doc = JsonDocument.Parse(body);
                problem = doc.RootElement.Clone();
                if (problem.Value.ValueKind == JsonValueKind.Object)
                {
                    type = Text(problem.Value, "type");
                    title = Text(problem.Value, "title");
                    detail = Text(problem.Value, "detail");
                }
            }
        }
        catch (JsonException)
        {
            // Not problem+json (a proxy's HTML page, say): the status line is all there is to report.
        }

        return new HoomiApiException(response.StatusCode, type, title ?? response.ReasonPhrase, detail, problem);
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    // One line, because the CLI prints exactly this and scripts grep it.
    private static string Describe(HttpStatusCode status, string? type, string? title, string? detail, JsonElement? problem)
    {
        var text = new StringBuilder();
        text.Append((int)status).Append(' ').Append((title ?? status.ToString()).TrimEnd('.'));
        if (!string.IsNullOrWhiteSpace(detail))
        {
            text.Append(": ").Append(detail);
        }

        if (problem is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in errors.EnumerateObject())
            {
                var messages = field.Value.ValueKind == JsonValueKind.Array
                    ? string.Join(" ", field.Value.EnumerateArray().Select(m => m.ToString()))
                    : field.Value.ToString();
                text.Append(" [").Append(field.Name).Append(": ").Append(messages).Append(']');
            }
        }

        if (type is not null)
        {
            text.Append(" (").Append(type).Append(')');
        }

        return text.ToString().ReplaceLineEndings(" ");
    }
}
