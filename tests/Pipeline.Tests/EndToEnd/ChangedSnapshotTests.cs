using System.Text.Json.Nodes;
using Shopstream.Ingest;
using Shopstream.Ingest.Sources;
using Shopstream.Pipeline.Tests.Infrastructure;

namespace Shopstream.Pipeline.Tests.EndToEnd;

/// <summary>Running the pipeline again on changed data leaves the tables equal to the latest data.</summary>
public sealed class ChangedSnapshotTests : IAsyncLifetime
{
    private readonly string changed = Path.Combine(Path.GetTempPath(), "shopstream-changed-" + Guid.NewGuid().ToString("N"));
    private PipelineCluster pipeline = null!;

    public async Task InitializeAsync()
    {
        pipeline = await PipelineCluster.StartAsync(silos: 1, partitions: 4);
        CopyDirectory(Fixtures.SamplesDirectory, changed);

        var products = JsonNode.Parse(File.ReadAllText(Path.Combine(changed, "fakestore", "products.json")))!.AsArray();
        products[0]!["price"] = 45.0m; // 109.95 premium -> économique
        products.Add(JsonNode.Parse("""{"title":"no id","price":1}"""));
        products.Add(JsonNode.Parse("""{"id":999,"title":"bad price","price":"cheap"}"""));
        File.WriteAllText(Path.Combine(changed, "fakestore", "products.json"), products.ToJsonString());

        var carts = JsonNode.Parse(File.ReadAllText(Path.Combine(changed, "fakestore", "carts.json")))!.AsArray();
        carts[0]!["products"] = JsonNode.Parse("""[{"productId":1,"quantity":9},{"productId":2,"quantity":1}]"""); // was 1x4, 2x1, 3x6
        File.WriteAllText(Path.Combine(changed, "fakestore", "carts.json"), carts.ToJsonString());

        var users = JsonNode.Parse(File.ReadAllText(Path.Combine(changed, "fakestore", "users.json")))!.AsArray();
        users[1]!["email"] = "morrison@example.org";
        File.WriteAllText(Path.Combine(changed, "fakestore", "users.json"), users.ToJsonString());
    }

    public async Task DisposeAsync()
    {
        await pipeline.DisposeAsync();
        Directory.Delete(changed, recursive: true);
    }

    private async Task IngestAsync(string dir)
    {
        await using var producer = pipeline.Producer();
        await new IngestRunner(new SnapshotReader(dir), producer).RunAsync();
        await producer.FlushAsync();
        await pipeline.WaitCaughtUpAsync(TimeSpan.FromSeconds(120));
    }

    [Fact]
    public async Task Second_run_applies_updates_removes_dropped_lines_rejects_bad_records_and_leaves_the_rest_untouched()
    {
        var db = pipeline.Database;
        await IngestAsync(Fixtures.SamplesDirectory);
        const string untouchedSql = """
            SELECT 'p' || source || id || updated_at FROM products WHERE NOT (source = 'fakestore' AND id = 1)
            UNION ALL SELECT 'u' || source || id || updated_at FROM users WHERE NOT (source = 'fakestore' AND id = 2)
            UNION ALL SELECT 'c' || source || cart_id || product_id || updated_at FROM cart_items WHERE NOT (source = 'fakestore' AND cart_id = 1)
            """;
        var untouchedBefore = await db.RowsAsync(untouchedSql);

        await IngestAsync(changed);

        Assert.Equal(["45.00|économique"], await db.RowsAsync("SELECT price, price_category FROM products WHERE source = 'fakestore' AND id = 1"));
        Assert.Equal(["1|9", "2|1"], await db.RowsAsync("SELECT product_id, quantity FROM cart_items WHERE source = 'fakestore' AND cart_id = 1 ORDER BY product_id"));
        Assert.Equal(["morrison@example.org"], await db.RowsAsync("SELECT email FROM users WHERE source = 'fakestore' AND id = 2"));
        Assert.Equal(untouchedBefore.Order(StringComparer.Ordinal), (await db.RowsAsync(untouchedSql)).Order(StringComparer.Ordinal));

        var rejected = await db.RowsAsync("SELECT stage, key, reason FROM rejected_records ORDER BY key");
        Assert.Equal(2, rejected.Count);
        Assert.All(rejected, r => Assert.StartsWith("ingest|", r, StringComparison.Ordinal));
        Assert.Contains(rejected, r => r.StartsWith("ingest|fakestore:999|", StringComparison.Ordinal) && r.Contains("price", StringComparison.Ordinal));
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM products WHERE source = 'fakestore' AND id = 999"));
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }
}
