using Microsoft.Extensions.Logging;

namespace Echain.Tests.Infrastructure;

/// <summary>
/// An in-process logger provider: everything the app logs at its configured levels (the app's filter rules apply
/// to every provider), as the console would print it: category, message, and any exception.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return _lines.ToArray(); }
    }

    public string Text => string.Join("\n", Lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // The structured values too: a sink that stores them (Application Insights, JSON console) would write them.
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            var line = $"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}";
            lock (capture._lines) capture._lines.Add(line);
        }
    }
}
