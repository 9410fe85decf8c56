using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shopstream.Ingest.Producing;

namespace Shopstream.Ingest.Feeds;

/// <summary>
/// Every configured feed's bridge in this silo, sharing one producer to our cluster; started and stopped with the host.
/// <see cref="Statuses"/> is what a sources listing shows per feed.
/// </summary>
public sealed class FeedBridges : IHostedService, IAsyncDisposable
{
    private readonly KafkaRecordProducer producer;
    private readonly IReadOnlyList<FeedBridge> bridges;

    /// <summary>Bridges for <paramref name="feeds"/>, producing with <paramref name="producerOptions"/> (our cluster's events and rejected topics).</summary>
    public FeedBridges(IReadOnlyDictionary<string, FeedOptions> feeds, KafkaProducerOptions producerOptions, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(feeds);
        ArgumentNullException.ThrowIfNull(producerOptions);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        producer = new KafkaRecordProducer(producerOptions);
        bridges = [.. feeds.OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new FeedBridge(f.Key, f.Value, producer, loggerFactory.CreateLogger<FeedBridge>()))];
    }

    /// <summary>Each feed's status in this silo, by name.</summary>
    public IReadOnlyList<FeedStatus> Statuses() => [.. bridges.Select(b => b.Status())];

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
        await producer.DisposeAsync().ConfigureAwait(false);
    }
}
