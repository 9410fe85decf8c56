namespace Shopstream.Grains.Interfaces.Records;

/// <summary>
/// What a grain receives from its stream: one normalized record with its version.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
/// <param name="Record">The normalized record.</param>
/// <param name="Version">
/// Ingest order of this record for its entity (UTC ticks at ingest, strictly increasing per producer).
/// Not a Kafka offset: offsets start over when a topic is re-created, versions do not.
/// </param>
/// <param name="IngestedAt">When the ingest read the record.</param>
[GenerateSerializer, Immutable]
public sealed record EntityMessage<T>(
    [property: Id(0)] T Record,
    [property: Id(1)] long Version,
    [property: Id(2)] DateTimeOffset IngestedAt);
