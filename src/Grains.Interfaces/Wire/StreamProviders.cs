namespace Shopstream.Grains.Interfaces.Wire;

/// <summary>Names of the Orleans providers the grains rely on.</summary>
public static class StreamProviders
{
    /// <summary>The Kafka persistent stream provider.</summary>
    public const string Kafka = "kafka";

    /// <summary>Grain storage for entity state (ADO.NET on PostgreSQL).</summary>
    public const string EntityStorage = "entities";
}
