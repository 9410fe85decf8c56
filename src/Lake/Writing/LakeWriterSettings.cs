namespace Shopstream.Lake.Writing;

/// <summary>What the lake writer reads: the host's Kafka settings and, per topic, the lake table it feeds.</summary>
internal sealed record LakeWriterSettings(string BootstrapServers, IReadOnlyDictionary<string, string> TablesByTopic, IReadOnlyDictionary<string, string> ClientSettings);
