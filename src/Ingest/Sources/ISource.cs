using Shopstream.Ingest.Producing;

namespace Shopstream.Ingest.Sources;

/// <summary>
/// A source: a reader (paged REST API, snapshot directory, ...), a normalizer, the topic its records go to and,
/// when it can read incrementally, a watermark. One run reads what is new since the watermark and produces it.
/// </summary>
public interface ISource
{
    /// <summary>The source's name: its settings section, the first half of its record keys, its row in <c>source_runs</c>.</summary>
    string Name { get; }

    /// <summary>Whether runs start from a watermark (else every run reads everything).</summary>
    bool HasWatermark { get; }

    /// <summary>
    /// Reads from <paramref name="watermark"/> on (everything when null) and produces to <paramref name="sink"/>.
    /// <paramref name="pageDone"/> is awaited with the counts each time Kafka has acknowledged everything read so far
    /// (after each page, or every so many records, and at the end), with the watermark they reached: on failure, the last
    /// report is what the run achieved.
    /// </summary>
    /// <exception cref="IngestException">A page could not be read or a delivery failed.</exception>
    Task<SourceProgress> RunAsync(DateTimeOffset? watermark, IRecordSink sink, Func<SourceProgress, Task>? pageDone, CancellationToken cancellationToken);
}

/// <summary>What a run has done so far; <paramref name="Watermark"/> is the largest publication date Kafka acknowledged.</summary>
public sealed record SourceProgress(int Pages, long Read, long Produced, long Rejected, DateTimeOffset? Watermark)
{
    /// <summary>Nothing done yet, from <paramref name="watermark"/>.</summary>
    public static SourceProgress Start(DateTimeOffset? watermark) => new(0, 0, 0, 0, watermark);
}
