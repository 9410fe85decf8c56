namespace Shopstream.Grains.Interfaces.Records;

/// <summary>
/// The records of one entity read from its partition in one go, oldest first: what a partition pump hands the entity's
/// grain in one call.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
/// <param name="Messages">The records with their versions, in offset order.</param>
/// <remarks>Immutable: a call to a grain on the same silo passes it without a copy.</remarks>
[GenerateSerializer, Immutable]
public sealed record EntityBatch<T>([property: Id(0)] EntityMessage<T>[] Messages);
