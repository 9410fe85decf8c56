using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Rejection;
using Shopstream.Ingest.Sources;
using Shopstream.Ingest.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests;

public sealed class IngestRunnerTests
{
    private const string ProductsWithTwoBadRecords = """
        [
          {"id":1,"title":"good","price":1.5},
          {"id":2,"title":"string price","price":"cheap"},
          {"title":"no id","price":3},
          {"id":4,"title":"good too","price":{"amount":4}},
          {"id":5,"title":"last","price":5}
        ]
        """;

    [Fact]
    public async Task Fixture_snapshot_is_produced_completely_with_no_rejections()
    {
        var sink = new RecordingSink();

        var counts = await new IngestRunner(new SnapshotReader(SampleData.ApisDirectory), sink).RunAsync();

        Assert.Equal(
            [
                new FeedCounts(new Feed("fakestore", "products"), 20, 20, 0, 0),
                new FeedCounts(new Feed("fakestore", "users"), 10, 10, 0, 0),
                new FeedCounts(new Feed("fakestore", "carts"), 7, 7, 0, 0),
                new FeedCounts(new Feed("dummyjson", "products"), 194, 194, 0, 0),
                new FeedCounts(new Feed("dummyjson", "users"), 208, 208, 0, 0),
                new FeedCounts(new Feed("dummyjson", "carts"), 208, 208, 0, 0),
            ],
            counts);
        Assert.Equal(647, sink.Messages.Count);
        Assert.Empty(sink.In(StreamNamespaces.Rejected));
        Assert.Equal(6, sink.Flushes);
    }

    [Fact]
    public async Task Messages_are_keyed_source_colon_id_and_decode_on_the_consumer_side()
    {
        var sink = new RecordingSink();

        await new IngestRunner(new SnapshotReader(SampleData.ApisDirectory), sink).RunAsync([new Feed("dummyjson", "carts")]);

        Assert.Equal(Enumerable.Range(1, 208).Select(id => $"dummyjson:{id}"), sink.Messages.Select(m => m.Key));
        var cart7 = sink.Messages.Single(m => m.Key == "dummyjson:7");
        var decoded = WireFormat.TryDecode(StreamNamespaces.Carts, cart7.Value, out var error);
        var message = Assert.IsType<EntityMessage<CartRecord>>(decoded);
        Assert.Null(error);
        Assert.Equal(cart7.Record, message.Record);
        Assert.Equal(14, message.Record.Lines.Sum(l => l.Quantity));
    }

    [Fact]
    public async Task A_rejection_never_stops_the_rest_of_the_file()
    {
        using var dir = new TempDirectory();
        dir.Write("fakestore", "products", ProductsWithTwoBadRecords);
        var sink = new RecordingSink();

        var counts = await new IngestRunner(new SnapshotReader(dir.Path), sink).RunAsync([new Feed("fakestore", "products")]);

        Assert.Equal(new FeedCounts(new Feed("fakestore", "products"), 5, 2, 3, 0), Assert.Single(counts));
        Assert.Equal(["fakestore:1", "fakestore:5"], sink.In(StreamNamespaces.Products).Select(m => m.Key));
    }

    [Fact]
    public async Task Rejected_record_carries_stage_target_topic_key_payload_and_reason()
    {
        using var dir = new TempDirectory();
        dir.Write("fakestore", "products", ProductsWithTwoBadRecords);
        var sink = new RecordingSink();

        await new IngestRunner(new SnapshotReader(dir.Path), sink).RunAsync([new Feed("fakestore", "products")]);

        var rejected = sink.In(StreamNamespaces.Rejected).ToList();
        Assert.All(rejected, m => Assert.Equal("shop.rejected", m.Topic));
        var records = rejected.Select(m => Assert.IsType<RejectedRecord>(m.Record)).ToList();
        Assert.All(records, r =>
        {
            Assert.Equal("ingest", r.Stage);
            Assert.Equal("shop.products", r.Topic);
            Assert.Null(r.Partition);
            Assert.Null(r.Offset);
        });
        Assert.Equal(["fakestore:2", "fakestore:products:2", "fakestore:4"], records.Select(r => r.Key));
        Assert.Contains("'price'", records[0].Reason, StringComparison.Ordinal);
        Assert.Equal("missing or invalid id", records[1].Reason);
        Assert.Equal(
            ["""{"id":2,"title":"string price","price":"cheap"}""", """{"title":"no id","price":3}""", """{"id":4,"title":"good too","price":{"amount":4}}"""],
            records.Select(r => r.Payload));
        // hashlib.sha256(b"ingest\nfakestore\nproducts\n" + payload).hexdigest(), computed outside the code under test.
        Assert.Equal(
            [
                "0f800205119e695005ef93f58712d2f25cdecba15f605b9a98c21409bcc60d2d",
                "8dfbe8491abe147ee7a01646c63f04edfc306185dfac5af1139ac938c456ab70",
                "10d46ea8d0fdb174757cd553535bd79759e30a7877f78448929ce56c0a0d477e",
            ],
            rejected.Select(m => m.Key));
    }

    [Fact]
    public async Task Rerunning_the_ingest_gives_rejections_the_same_keys()
    {
        using var dir = new TempDirectory();
        dir.Write("fakestore", "products", ProductsWithTwoBadRecords);
        var first = new RecordingSink();
        var second = new RecordingSink();

        await new IngestRunner(new SnapshotReader(dir.Path), first).RunAsync([new Feed("fakestore", "products")]);
        // Same data, different formatting: the fingerprint is of the normalized payload.
        dir.Write("fakestore", "products", ProductsWithTwoBadRecords.Replace(",", " ,\n ", StringComparison.Ordinal));
        await new IngestRunner(new SnapshotReader(dir.Path), second).RunAsync([new Feed("fakestore", "products")]);

        var firstKeys = first.In(StreamNamespaces.Rejected).Select(m => m.Key).ToList();
        Assert.Equal(3, firstKeys.Distinct().Count());
        Assert.Equal(firstKeys, second.In(StreamNamespaces.Rejected).Select(m => m.Key));
    }

    [Fact]
    public async Task Rejected_user_payload_keeps_only_source_and_id()
    {
        using var dir = new TempDirectory();
        dir.Write("dummyjson", "users", """
            {"users":[{"id":"x1","username":"emilys","email":"emily@x.dummyjson.com","birthDate":"1996-5-30","ip":"42.48.100.32",
              "macAddress":"47:fa:41:18:ec:eb","bloodGroup":"O-","password":"emilyspass","bank":{"iban":"GB74"},
              "address":{"city":"Phoenix","coordinates":{"lat":-77.16,"lng":-92.08}}}],"total":1}
            """);
        var sink = new RecordingSink();

        var counts = await new IngestRunner(new SnapshotReader(dir.Path), sink).RunAsync([new Feed("dummyjson", "users")]);

        Assert.Equal(1, Assert.Single(counts).Rejected);
        var message = Assert.Single(sink.Messages);
        var rejection = Assert.IsType<RejectedRecord>(message.Record);
        Assert.Equal("dummyjson:users:0", rejection.Key);
        Assert.Equal("""{"source":"dummyjson","id":"x1"}""", rejection.Payload);
        Assert.DoesNotContain("emilyspass", System.Text.Encoding.UTF8.GetString(message.Value), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_files_are_counted_as_skipped_and_the_rest_is_ingested()
    {
        using var dir = new TempDirectory();
        dir.CopySample("dummyjson", "carts");
        var sink = new RecordingSink();

        var counts = await new IngestRunner(new SnapshotReader(dir.Path), sink).RunAsync();

        Assert.Equal(5, counts.Sum(c => c.SkippedFiles));
        Assert.Equal(new FeedCounts(new Feed("dummyjson", "carts"), 208, 208, 0, 0), counts.Single(c => c.SkippedFiles == 0));
        Assert.Equal(208, sink.Messages.Count);
    }

    [Fact]
    public async Task Progress_is_reported_once_per_feed_including_skipped_ones()
    {
        using var dir = new TempDirectory();
        dir.CopySample("fakestore", "users");
        var progress = new CollectingProgress<FeedCounts>();

        var counts = await new IngestRunner(new SnapshotReader(dir.Path), new RecordingSink()).RunAsync(progress: progress);

        Assert.Equal(counts, progress.Reports);
        Assert.Equal(6, progress.Reports.Count);
    }

    [Fact]
    public async Task Failed_delivery_stops_the_run_with_the_error()
    {
        var sink = new RecordingSink { DeliveryFailure = "delivery of fakestore:1 to topic products failed: broker down" };

        var error = await Assert.ThrowsAsync<IngestException>(() =>
            new IngestRunner(new SnapshotReader(SampleData.ApisDirectory), sink).RunAsync());

        Assert.Contains("broker down", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, sink.Flushes);
    }

    [Fact]
    public async Task Invalid_json_file_stops_the_run_naming_the_file()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("fakestore", "products", "[{\"id\":1},");

        var error = await Assert.ThrowsAsync<IngestException>(() =>
            new IngestRunner(new SnapshotReader(dir.Path), new RecordingSink()).RunAsync());

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_api_run_ingests_every_record()
    {
        await using var server = FixtureApiServer.Start();
        using var http = new HttpClient();
        var reader = new LiveApiReader(http, new IngestOptions
        {
            FakeStoreBaseUrl = server.FakeStoreBaseUrl,
            DummyJsonBaseUrl = server.DummyJsonBaseUrl,
            PageSize = 30,
        });
        var sink = new RecordingSink();

        var counts = await new IngestRunner(reader, sink).RunAsync();

        Assert.Equal([20, 10, 7, 194, 208, 208], counts.Select(c => c.Produced));
        Assert.All(counts, c => Assert.Equal(0, c.Rejected + c.SkippedFiles));
    }
}
