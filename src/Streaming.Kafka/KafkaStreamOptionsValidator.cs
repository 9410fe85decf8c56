using Orleans;
using Orleans.Runtime;

namespace Shopstream.Streaming.Kafka;

/// <summary>Fails silo start-up with a message naming the bad setting.</summary>
internal sealed class KafkaStreamOptionsValidator(KafkaStreamOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        string Key(string setting) => $"{nameof(KafkaStreamOptions)}.{setting} (stream provider '{name}')";
        if (string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.BootstrapServers))} is required");
        }
        if (string.IsNullOrWhiteSpace(options.ConsumerGroupId))
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.ConsumerGroupId))} is required");
        }
        if (options.Topics.Count == 0)
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.Topics))} must list at least one topic");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in options.Topics)
        {
            if (string.IsNullOrWhiteSpace(topic.Name))
            {
                throw new OrleansConfigurationException($"{Key(nameof(options.Topics))} has a topic without a name");
            }
            if (!seen.Add(topic.Name))
            {
                throw new OrleansConfigurationException($"{Key(nameof(options.Topics))} lists topic '{topic.Name}' twice");
            }
        }
        if (options.MaxCachedMessagesPerQueue < 1)
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.MaxCachedMessagesPerQueue))} must be at least 1");
        }
        if (options.PrefetchPerPartition < 1)
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.PrefetchPerPartition))} must be at least 1");
        }
        if (options.MaxFetchWait < TimeSpan.FromMilliseconds(1) || options.MaxFetchWait > TimeSpan.FromSeconds(30))
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.MaxFetchWait))} must be from 1 ms to 30 s");
        }
        if (options.MaxInFlight < 1)
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.MaxInFlight))} must be at least 1");
        }
        if (options.DeliveryAttempts < 1)
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.DeliveryAttempts))} must be at least 1");
        }
        if (options.MetadataTimeout <= TimeSpan.Zero)
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.MetadataTimeout))} must be positive");
        }
        if (options.CommitInterval < TimeSpan.Zero)
        {
            throw new OrleansConfigurationException($"{Key(nameof(options.CommitInterval))} must not be negative");
        }
    }
}
