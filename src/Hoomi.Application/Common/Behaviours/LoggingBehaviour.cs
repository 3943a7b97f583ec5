using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mediator;
using Microsoft.Extensions.Logging;

namespace Hoomi.Application.Common.Behaviours;

/// <summary>
/// Times every use case, opens a trace span for it and counts outcomes. It logs the use case's name and
/// outcome only, never the message itself: messages carry wrapped keys and user names.
/// </summary>
public sealed partial class LoggingBehaviour<TMessage, TResponse>(ILogger<LoggingBehaviour<TMessage, TResponse>> logger)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private static readonly string UseCase = typeof(TMessage).Name;

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        using var activity = ApplicationTelemetry.ActivitySource.StartActivity(UseCase);
        var started = Stopwatch.GetTimestamp();
        var outcome = "ok";
        try
        {
            return await next(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome = ex.GetType().Name;
            activity?.SetStatus(ActivityStatusCode.Error, outcome);
            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            ApplicationTelemetry.UseCaseDuration.Record(
                elapsed.TotalSeconds,
                new KeyValuePair<string, object?>("use_case", UseCase),
                new KeyValuePair<string, object?>("outcome", outcome));
            LogHandled(logger, UseCase, outcome, elapsed.TotalMilliseconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{UseCase} finished: {Outcome} in {ElapsedMs:0.0} ms")]
    private static partial void LogHandled(ILogger logger, string useCase, string outcome, double elapsedMs);
}

/// <summary>The application layer's activity source and meter (names exported by the Api's OpenTelemetry set-up).</summary>
public static class ApplicationTelemetry
{
    public const string Name = "Hoomi.Application";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);

    public static readonly Histogram<double> UseCaseDuration = Meter.CreateHistogram<double>(
        "hoomi.use_case.duration", unit: "s", description: "Duration of each use case handled by the mediator.");
}
