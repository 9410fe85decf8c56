using Microsoft.Extensions.Logging;
using Shopstream.Projection;

namespace Shopstream.Cli.Chaos;

/// <summary>
/// Counts the projection writer's "batch not written, retrying" warnings in an in-process silo: the chaos runner's
/// evidence that a PostgreSQL fault hit a write, not an idle moment. The writer exposes no retry counter of its own.
/// </summary>
internal sealed class ProjectionRetryCounter : ILoggerProvider
{
    private static readonly string Category = typeof(PostgresProjectionWriter).FullName!;
    private long retries;

    public long Retries => Interlocked.Read(ref retries);

    public ILogger CreateLogger(string categoryName) => categoryName == Category ? new Counting(this) : NoLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Counting(ProjectionRetryCounter owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // The source-generated event is named after its method.
            if (eventId.Name == "LogRetrying")
            {
                Interlocked.Increment(ref owner.retries);
            }
        }
    }

    private sealed class NoLogger : ILogger
    {
        public static readonly NoLogger Instance = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
