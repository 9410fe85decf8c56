using Microsoft.Extensions.Options;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Kafka;

/// <summary>
/// The silo's consumer group lag for the console, shared by every request: one Kafka consumer per silo, made on first
/// use and made again every <see cref="RebuildAfter"/> (so that partitions added to a topic show up), one read at a
/// time, and a read reused for <see cref="FreshFor"/>. Before, each request made, used and closed a consumer of its own:
/// a page left open in many browsers, or a client polling fast, cost the silo a Kafka connection and its threads each time.
/// </summary>
public sealed class GroupLagReader(IOptionsMonitor<KafkaStreamOptions> options, string providerName) : IDisposable
{
    /// <summary>How long a read is served again before the next request reads the broker.</summary>
    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(2);

    /// <summary>How long one consumer is kept before the next read makes a new one.</summary>
    public static readonly TimeSpan RebuildAfter = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim gate = new(1, 1);
    private DeliveryProgress? progress;
    private long builtAt;
    private IReadOnlyList<PartitionLag>? last;
    private long readAt;

    /// <summary>Consumers made so far (for tests and diagnostics).</summary>
    public int ConsumersMade { get; private set; }

    /// <summary>Per partition of the provider's topics: end offset, committed offset and lag, at most <see cref="FreshFor"/> old.</summary>
    public async Task<IReadOnlyList<PartitionLag>> ReadAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var now = Environment.TickCount64;
            if (last is not null && now - readAt < FreshFor.TotalMilliseconds)
            {
                return last;
            }
            last = await Task.Run(() =>
            {
                if (progress is null || now - builtAt >= RebuildAfter.TotalMilliseconds)
                {
                    progress?.Dispose();
                    progress = null;
                    var kafka = options.Get(providerName);
                    progress = new DeliveryProgress(kafka.BootstrapServers, kafka.ConsumerGroupId,
                        new Dictionary<string, string>(kafka.ClientSettings, StringComparer.Ordinal), kafka.Topics.Select(t => t.Name));
                    builtAt = now;
                    ConsumersMade++;
                }
                return progress.Read(ReadTimeout);
            }, cancellationToken);
            readAt = Environment.TickCount64;
            return last;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose()
    {
        progress?.Dispose();
        gate.Dispose();
    }
}
