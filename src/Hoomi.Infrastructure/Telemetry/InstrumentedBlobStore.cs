using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;

namespace Hoomi.Infrastructure.Telemetry;

/// <summary>
/// Times every blob store operation and counts failures (meter <c>Hoomi.Storage</c>), and traces it as a span
/// under the request, whichever adapter is configured.
/// </summary>
internal sealed class InstrumentedBlobStore(IBlobStore inner) : IBlobStore
{
    public const string Name = "Hoomi.Storage";

    private static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "hoomi.blob.operation.duration", "s", "Duration of blob store operations by operation and outcome.");

    private static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "hoomi.blob.operation.failures", "{failure}", "Blob store operations that failed for a reason other than not-found or already-exists.");

    public Task<BlobWriteResult> PutAsync(string key, Stream content, CancellationToken cancellationToken) =>
        TimeAsync("put", () => inner.PutAsync(key, content, cancellationToken));

    public Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken) =>
        TimeAsync("open_read", () => inner.OpenReadAsync(key, range, cancellationToken));

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        TimeAsync("delete", async () =>
        {
            await inner.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            return true;
        });

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) =>
        TimeAsync("exists", () => inner.ExistsAsync(key, cancellationToken));

    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await foreach (var item in inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }

        Record("list", "ok", started);
    }

    private static async Task<T> TimeAsync<T>(string operation, Func<Task<T>> action)
    {
        using var activity = Source.StartActivity("blob " + operation);
        var started = Stopwatch.GetTimestamp();
        var outcome = "ok";
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome = ex switch
            {
                BlobNotFoundException => "not_found",
                BlobAlreadyExistsException => "already_exists",
                OperationCanceledException => "canceled",
                _ => "error",
            };
            if (outcome == "error")
            {
                Failures.Add(1, new KeyValuePair<string, object?>("operation", operation));
                activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            }

            throw;
        }
        finally
        {
            Record(operation, outcome, started);
        }
    }

    private static void Record(string operation, string outcome, long started) =>
        Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
            new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("outcome", outcome));
}
