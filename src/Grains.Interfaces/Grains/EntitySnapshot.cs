namespace Shopstream.Grains.Interfaces.Grains;

/// <summary>An entity's live state as its grain holds it.</summary>
/// <typeparam name="T">The record type.</typeparam>
/// <param name="Record">The latest record.</param>
/// <param name="Version">Version of the latest record.</param>
/// <param name="UpdatedAt">When the content last changed.</param>
/// <param name="Applied">Records that changed the entity, over its life.</param>
/// <param name="Ignored">Records dropped as replays, late arrivals or identical content.</param>
[GenerateSerializer, Immutable]
public sealed record EntitySnapshot<T>(
    [property: Id(0)] T Record,
    [property: Id(1)] long Version,
    [property: Id(2)] DateTimeOffset UpdatedAt,
    [property: Id(3)] long Applied,
    [property: Id(4)] long Ignored);
