namespace Shopstream.Projection;

/// <summary>Batching of the projection writer.</summary>
public sealed class ProjectionWriterOptions
{
    /// <summary>Rows written in one round trip at most.</summary>
    public int MaxBatchSize { get; set; } = 2_000;

    /// <summary>Batches written at the same time (connections used).</summary>
    public int Writers { get; set; } = 2;

    /// <summary>Longest wait between retries while PostgreSQL is unreachable.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public void Validate()
    {
        if (MaxBatchSize < 1)
        {
            throw new ArgumentException("Shopstream:Projection:MaxBatchSize must be at least 1");
        }
        if (Writers is < 1 or > 64)
        {
            throw new ArgumentException("Shopstream:Projection:Writers must be between 1 and 64");
        }
    }
}
