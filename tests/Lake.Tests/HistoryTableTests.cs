using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Tests.Support;

namespace Shopstream.Lake.Tests;

/// <summary>Entity topics become change-history tables: every version, partitioned by ingest day.</summary>
public sealed class HistoryTableTests
{
    [Fact]
    public async Task Every_product_version_lands_in_products_history_by_ingest_day()
    {
        await using var bed = await LakeTestBed.CreateAsync(partitions: 1);
        var products = "lake-products-" + Guid.NewGuid().ToString("N")[..8];
        SharedBroker.Instance.CreateTopic(products, 1);
        bed.TablesByTopic[products] = "products_history";
        var day1 = new DateTimeOffset(2024, 5, 1, 23, 0, 0, TimeSpan.Zero);
        var day2 = new DateTimeOffset(2024, 5, 2, 1, 0, 0, TimeSpan.Zero);
        ProductRecord Mascara(decimal price) => new() { Source = "dummyjson", Id = 5, Title = "Essence Mascara", Price = price };
        await bed.SendRawAsync(products, "dummyjson:5", WireFormat.Serialize(StreamNamespaces.Products, Mascara(9.99m), 1, day1));
        await bed.SendRawAsync(products, "dummyjson:5", WireFormat.Serialize(StreamNamespaces.Products, Mascara(7.49m), 2, day2));
        await bed.SendRawAsync(products, "dummyjson:5", "not an envelope"u8.ToArray()); // covered by the offsets, not stored

        var writer = bed.Writer(bed.Options());
        await writer.StartAsync(CancellationToken.None);
        await Eventually.Until(() => bed.Database.ScalarAsync($"SELECT coalesce(sum(next_offset), 0) FROM lake_offsets WHERE topic = '{products}'"),
            n => n >= 3, TimeSpan.FromSeconds(60), "the three product messages committed");
        await writer.StopAsync(CancellationToken.None);

        var files = await bed.Database.RowsAsync("SELECT table_name, partition_values->>'ingest_date', rows FROM lake_files ORDER BY path");
        Assert.Equal(["products_history|2024-05-01|1", "products_history|2024-05-02|1"], files);
        var rows = LakeTestBed.DuckDb(
            $"""
            SELECT entity_key, version, epoch_us(ingested_at), json_extract_string(record, '$.price'), json_extract_string(record, '$.title'), kafka_offset
            FROM read_parquet('{bed.Directory}/products_history/*/*.parquet') ORDER BY version
            """);
        Assert.Equal(["dummyjson:5|1|1714604400000000|9.99|Essence Mascara|0", "dummyjson:5|2|1714611600000000|7.49|Essence Mascara|1"], rows);
    }
}
