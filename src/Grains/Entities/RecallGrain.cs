using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Grains.Projection;

namespace Shopstream.Grains.Entities;

/// <summary>
/// A product recall notice, keyed <c>rappelconso:&lt;numero_fiche&gt;</c>, called with its records on the recalls topic
/// like <see cref="ProductGrain"/>. The grain drops replays and identical content by ingest version; which
/// <c>numero_version</c> of a notice wins is decided by the projection's upsert, so that a full re-read that meets an
/// older version after a newer one leaves the table on the newer.
/// </summary>
public sealed class RecallGrain(
    IProjectionWriter writer,
    ILogger<RecallGrain> logger) : EntityGrain<RecallRecord>("recall", writer, logger), IRecallGrain
{
    protected override string StreamNamespace => StreamNamespaces.Recalls;

    protected override Task ProjectAsync(RecallRecord record, long version, string contentHash) =>
        Writer.WriteAsync(new RecallRow(record, version, contentHash));
}
