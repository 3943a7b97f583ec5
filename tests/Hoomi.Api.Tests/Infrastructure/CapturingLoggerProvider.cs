using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Hoomi.Api.Tests.Infrastructure;

/// <summary>Keeps every message with its structured values, as a log sink would receive them.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>Lines logged at <paramref name="level"/> or above (each line is "category level message values exception").</summary>
    public IReadOnlyList<string> AtLeast(LogLevel level) =>
        [.. _lines.Where(l => l.Split(' ', 3) is [_, var name, _] && Enum.TryParse<LogLevel>(name, out var logged) && logged >= level && logged != LogLevel.None)];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            lines.Enqueue(category + " scope " + Describe(state));
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category} {logLevel} {formatter(state, exception)} {Describe(state)} {exception}");

        private static string Describe(object? state) => state is IEnumerable<KeyValuePair<string, object?>> values
            ? string.Join(' ', values.Select(kv => kv.Key + "=" + kv.Value))
            : state?.ToString() ?? "";
    }
}
