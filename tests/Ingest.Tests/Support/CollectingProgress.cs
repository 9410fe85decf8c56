namespace Shopstream.Ingest.Tests.Support;

/// <summary>Records progress reports synchronously (Progress&lt;T&gt; would post them later).</summary>
internal sealed class CollectingProgress<T> : IProgress<T>
{
    private readonly List<T> reports = [];

    public IReadOnlyList<T> Reports => reports;

    public void Report(T value) => reports.Add(value);

    /// <summary>The same, as an awaited callback.</summary>
    public Task ReportAsync(T value)
    {
        reports.Add(value);
        return Task.CompletedTask;
    }
}
