using Shopstream.Grains.Interfaces.Records;

namespace Shopstream.Grains.Projection;

/// <summary>
/// A recall notice as projected into <c>rappel_conso</c> and its products into <c>rappel_conso_products</c>. The notice
/// carries no derived field, so the row is the record with the version and content hash that decide the upsert.
/// </summary>
public sealed record RecallRow(RecallRecord Recall, long Version, string ContentHash);
