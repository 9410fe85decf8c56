using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Kafka;

/// <summary>Creates the pipeline's topics when they are missing; existing topics are left as they are.</summary>
public static class TopicProvisioner
{
    public static async Task EnsureAsync(string bootstrapServers, IReadOnlyDictionary<string, string> clientSettings, IEnumerable<string> topics, int partitions)
    {
        LibrdkafkaLocator.EnsureLoaded();
        var config = new AdminClientConfig(new Dictionary<string, string>(clientSettings)) { BootstrapServers = bootstrapServers };
        using var admin = new AdminClientBuilder(config).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(30));
        var missing = topics.Distinct(StringComparer.Ordinal)
            .Where(t => !metadata.Topics.Any(m => m.Topic == t && !m.Error.IsError))
            .Select(t => new TopicSpecification { Name = t, NumPartitions = partitions, ReplicationFactor = -1 })
            .ToList();
        if (missing.Count == 0)
        {
            return;
        }
        try
        {
            await admin.CreateTopicsAsync(missing);
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is Confluent.Kafka.ErrorCode.NoError or Confluent.Kafka.ErrorCode.TopicAlreadyExists))
        {
            // Another process created them first.
        }
    }
}
