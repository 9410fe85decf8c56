using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shopstream.Ingest.Producing;

namespace Shopstream.Ingest.Feeds;

/// <summary>
/// Every configured feed's bridge in this silo, each with its own producer to our cluster (its messages carry the feed
/// as their source); started and stopped with the host.
/// <see cref="Statuses"/> is what a sources listing shows per feed.
/// </summary>
public sealed class FeedBridges : IHostedService, IAsyncDisposable
{
    private readonly List<KafkaRecordProducer> producers = [];
    private readonly List<FeedBridge> bridges = [];
    private readonly Lock lagLock = new();
    private Task<FeedLag[]>? lagRead;

    /// <summary>
    /// Bridges for <paramref name="feeds"/>, each producing with the options <paramref name="producerOptions"/> gives for
    /// its name (our cluster's events and rejected topics).
    /// </summary>
    public FeedBridges(IReadOnlyDictionary<string, FeedOptions> feeds, Func<string, KafkaProducerOptions> producerOptions, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(feeds);
        ArgumentNullException.ThrowIfNull(producerOptions);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        foreach (var (name, feed) in feeds.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var producer = new KafkaRecordProducer(producerOptions(name));
            producers.Add(producer);
            bridges.Add(new FeedBridge(name, feed, producer, loggerFactory.CreateLogger<FeedBridge>()));
        }
    }

    /// <summary>Each feed's status in this silo, by name.</summary>
    public IReadOnlyList<FeedStatus> Statuses() => [.. bridges.Select(b => b.Status())];

    /// <summary>
    /// Each feed's lag over its whole foreign topic (every silo's partitions, from the foreign brokers), in the order of
    /// <see cref="Statuses"/>; the feeds are asked at once, each for up to about twice <paramref name="timeout"/>.
    /// Callers that ask while a read is under way get that read: each read makes a consumer per feed and connects to the
    /// foreign brokers, which a page polled from many browsers must not multiply.
    /// </summary>
    public Task<FeedLag[]> LagsAsync(TimeSpan timeout)
    {
        lock (lagLock)
        {
            if (lagRead is { IsCompleted: false } running)
            {
                return running;
            }
            LagReads++;
            return lagRead = Task.WhenAll(bridges.Select(b => Task.Run(() => b.ReadLag(timeout))));
        }
    }

    /// <summary>Lag reads made so far (each a consumer per feed; for tests and diagnostics).</summary>
    public int LagReads { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var bridge in bridges)
        {
            await bridge.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Each bridge finishes (or gives up) its batch and leaves its group; nothing unacknowledged was committed.
        await Task.WhenAll(bridges.Select(b => b.StopAsync(cancellationToken))).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var bridge in bridges)
        {
            bridge.Dispose();
        }
        foreach (var producer in producers)
        {
            await producer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
