using Microsoft.Extensions.Logging;

namespace Shopstream.Lake.Tests;

/// <summary>Warnings and errors of the writer on stderr, so a red test shows why the writer restarted.</summary>
internal sealed class ConsoleErrorLogger<T> : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Console.Error.WriteLine($"[{typeof(T).Name} {logLevel}] {formatter(state, exception)} {exception}");
}
