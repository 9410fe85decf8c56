namespace Shopstream.Streaming.Kafka.Providers;

/// <summary>Records a silo's pumps may have taken and not yet delivered, shared by all of a provider's partitions.</summary>
internal sealed class InFlightBudget(int capacity) : IDisposable
{
    private readonly SemaphoreSlim freed = new(0, 1);
    private int used;

    /// <summary>Records that may be taken now (zero or less: none).</summary>
    public int Available => capacity - Volatile.Read(ref used);

    public void Take(int records) => Interlocked.Add(ref used, records);

    public void Return(int records)
    {
        if (Interlocked.Add(ref used, -records) < capacity && freed.CurrentCount == 0)
        {
            try
            {
                freed.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
            catch (ObjectDisposedException)
            {
                // A call that outlived its silo's provider: nobody waits any more.
            }
        }
    }

    public void Dispose() => freed.Dispose();

    /// <summary>Waits until some records were returned, or the timeout passed.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => freed.WaitAsync(timeout, cancellationToken);
}
