namespace Shopstream.Lake.Writing;

/// <summary>What the lake writer reads: the host's Kafka settings and the events topic.</summary>
internal sealed record LakeWriterSettings(string BootstrapServers, string Topic, IReadOnlyDictionary<string, string> ClientSettings);
