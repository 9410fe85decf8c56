namespace Shopstream.Projection.Raw;

/// <summary>A row of <c>raw_events</c>: one message of our topics as it was read.</summary>
/// <param name="ReceivedAt">The message's Kafka timestamp: when the ingest, the API or a feed produced it.</param>
/// <param name="Source">Where it came from: <c>events-api</c>, <c>feed-&lt;name&gt;</c>, or a REST source (<c>dummyjson</c>).</param>
/// <param name="Topic">Our topic it was read from.</param>
/// <param name="Partition">Its partition.</param>
/// <param name="Offset">Its offset.</param>
/// <param name="Key">The message key (entity key or session key).</param>
/// <param name="Payload">The message value as read: UTF-8 JSON (the wire envelope), stored as jsonb.</param>
public sealed record RawEventRow(DateTimeOffset ReceivedAt, string Source, string Topic, int Partition, long Offset, string? Key, byte[] Payload);
