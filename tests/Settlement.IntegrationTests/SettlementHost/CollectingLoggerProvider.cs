using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Settlement.Service.IntegrationTests.SettlementHost;

/// <summary>Keeps the event id and message of every log entry (for asserting what a host reported).</summary>
internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(int EventId, LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<int> EventIds => _entries.Select(e => e.EventId).ToList();

    public IReadOnlyList<(int EventId, LogLevel Level, string Message)> Entries => _entries.ToList();

    public ILogger CreateLogger(string categoryName) => new Collector(_entries);

    public void Dispose()
    {
    }

    private sealed class Collector(ConcurrentQueue<(int, LogLevel, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
    }
}
