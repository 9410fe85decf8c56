using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Shopstream.Lake.Manifest;
using Shopstream.Lake.Storage;

namespace Shopstream.Lake.Writing;

/// <summary>
/// The bench's <c>lake=</c> figure: how many events per second a lake writer commits, reading a topic that already
/// holds them, into a new directory, with its own consumer group, from the first offset to the last one committed.
/// </summary>
internal static class LakeThroughput
{
    /// <param name="bootstrapServers">Kafka.</param>
    /// <param name="topic">An events topic holding <paramref name="events"/> messages from offset 0 of each partition.</param>
    /// <param name="postgres">A database with the schema whose manifest has nothing of <paramref name="topic"/> yet.</param>
    /// <param name="directory">An empty directory for the lake.</param>
    /// <param name="events">Messages in the topic (undecodable ones count: they are covered, not stored).</param>
    /// <param name="timeout">Gives up after this long.</param>
    /// <param name="cancellationToken">Stops the measurement.</param>
    /// <returns>
    /// Events per second, from the moment the consumer group assigned the writer its partitions (the group join, about
    /// 3 s on the embedded broker, is not the writer's work) until the manifest covers every message.
    /// </returns>
    public static async Task<double> MeasureAsync(
        string bootstrapServers, string topic, string postgres, string directory, long events, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var db = NpgsqlDataSource.Create(postgres);
        var manifest = new LakeManifest(db);
        // Bench defaults: files as the silo writes them; a short age so the last partial buffers do not wait a minute.
        var options = new LakeOptions { Path = directory, ConsumerGroup = $"lake-bench-{Guid.NewGuid():N}", MaxAge = TimeSpan.FromMilliseconds(500) };
        var writer = new LakeWriter(new LakeWriterSettings(bootstrapServers, new Dictionary<string, string> { [topic] = Tables.EventsTable.Name }, new Dictionary<string, string>()), options,
            new LocalLakeStore(directory), manifest, TimeProvider.System, NullLogger<LakeWriter>.Instance);
        var clock = Stopwatch.StartNew();
        await writer.StartAsync(cancellationToken);
        try
        {
            await using var command = db.CreateCommand("SELECT coalesce(sum(next_offset), 0)::bigint FROM lake_offsets WHERE topic = $1");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = topic });
            while ((long)(await command.ExecuteScalarAsync(cancellationToken))! < events)
            {
                if (clock.Elapsed > timeout)
                {
                    throw new TimeoutException($"the lake writer did not commit {events} events of '{topic}' within {timeout}");
                }
                await Task.Delay(50, cancellationToken);
            }
            return events / Stopwatch.GetElapsedTime(writer.FirstAssignedAt).TotalSeconds;
        }
        finally
        {
            await writer.StopAsync(CancellationToken.None);
        }
    }
}
