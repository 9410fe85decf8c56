using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Runtime;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Silo.Kafka;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Web.Console;

/// <summary>
/// <c>/api/analytics/pipeline/*</c>: the cluster's silos, every partition's committed offset and lag (the consumer
/// group's, from Kafka) with its owner when this silo reads it (live, from the stream provider),
/// rejected records by stage and reason with their payload, and the lake's files and snapshots.
/// </summary>
internal static class PipelineAnalytics
{
    /// <summary>A payload in a list is cut here; <c>/pipeline/rejected/{id}</c> gives it whole.</summary>
    private const int ListedPayloadChars = 2000;

    public static RouteGroupBuilder MapPipelineAnalytics(this RouteGroupBuilder api)
    {
        var pipeline = api.MapGroup("/pipeline");
        pipeline.MapGet("/partitions", async (IServiceProvider services, ILocalSiloDetails silo, IGrainFactory grains, GroupLagReader lags, CancellationToken ct) =>
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, ct);
            var self = silo.SiloAddress.ToString();
            // Offsets and lag are the consumer group's, so every partition shows them whichever silo reads it; the owner
            // is known only for the partitions this silo reads (each silo knows its own queues).
            var group = await lags.ReadAsync(ct);
            var local = services.GetRequiredKeyedService<KafkaStreamStatistics>(StreamProviders.Kafka).Snapshot()
                .ToDictionary(p => (p.Topic, p.Partition));
            return Results.Ok(new
            {
                silo = self,
                clusterSilos = hosts.Keys.Select(h => h.ToString()).Order(StringComparer.Ordinal),
                partitions = group.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).Select(p =>
                {
                    var here = local.GetValueOrDefault((p.Topic, p.Partition));
                    return new
                    {
                        p.Topic,
                        p.Partition,
                        owner = here is { OwnedHere: true } ? self : null,
                        p.CommittedOffset,
                        p.EndOffset,
                        p.Lag,
                        consumedHere = here?.Consumed ?? 0,
                        rejectedHere = here?.Rejected ?? 0,
                    };
                }),
            });
        });
        pipeline.MapGet("/rejected/summary", async (NpgsqlDataSource db, CancellationToken ct) => Results.Ok(await AnalyticsSql.RowsAsync(db, """
            SELECT stage, reason, count(*) AS records, max(rejected_at) AS last_rejected_at
            FROM rejected_records GROUP BY stage, reason ORDER BY records DESC, stage, reason LIMIT $1
            """, ct, AnalyticsSql.MaxLimit)));
        pipeline.MapGet("/rejected", async (string? stage, string? reason, long? before, int? limit, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (!AnalyticsSql.TryLimit(limit, 20, out var n, out var error))
            {
                return error!;
            }
            // Newest first; `before` (an id) pages back.
            return Results.Ok(await AnalyticsSql.RowsAsync(db, """
                SELECT id, stage, topic, partition, "offset", key, reason, rejected_at,
                       left(payload, $5) AS payload, length(payload) > $5 AS payload_cut
                FROM rejected_records
                WHERE ($1::text IS NULL OR stage = $1) AND ($2::text IS NULL OR reason = $2) AND ($3::bigint IS NULL OR id < $3)
                ORDER BY id DESC LIMIT $4
                """, ct, stage, reason, before, n, ListedPayloadChars));
        });
        pipeline.MapGet("/rejected/{id:long}", async (long id, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var rows = await AnalyticsSql.RowsAsync(db, """
                SELECT id, stage, topic, partition, "offset", key, reason, rejected_at, payload FROM rejected_records WHERE id = $1
                """, ct, id);
            return rows.Count == 1 ? Results.Ok(rows[0]) : Results.NotFound(new { error = $"no rejected record {id}" });
        });
        pipeline.MapGet("/lake", async (NpgsqlDataSource db, CancellationToken ct) =>
        {
            var tables = await AnalyticsSql.RowsAsync(db, """
                SELECT table_name, count(*) AS files, sum(rows)::bigint AS rows, sum(bytes)::bigint AS bytes, max(committed_at) AS last_committed_at
                FROM lake_files WHERE removed_snapshot_id IS NULL GROUP BY table_name ORDER BY table_name
                """, ct);
            var snapshots = await AnalyticsSql.RowsAsync(db, """
                SELECT s.snapshot_id, s.operation, s.committed_at,
                       (SELECT count(*) FROM lake_files f WHERE f.snapshot_id = s.snapshot_id) AS files_added,
                       (SELECT count(*) FROM lake_files f WHERE f.removed_snapshot_id = s.snapshot_id) AS files_removed
                FROM lake_snapshots s ORDER BY s.snapshot_id DESC LIMIT $1
                """, ct, AnalyticsSql.MaxLimit);
            return Results.Ok(new { tables, snapshots });
        });
        return api;
    }
}
