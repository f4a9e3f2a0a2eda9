using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>Keeps every message logged through it, of every category, for a test to read.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider, ILogger
{
    readonly ConcurrentQueue<(LogLevel Level, string Text)> messages = new();

    public IReadOnlyCollection<(LogLevel Level, string Text)> Messages => messages;

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        messages.Enqueue((logLevel, formatter(state, exception)));

    public void Dispose()
    {
    }
}
