using Shopstream.Ingest.Sources;
using Shopstream.Ingest.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests;

public sealed class SnapshotReaderTests
{
    [Theory]
    [InlineData("fakestore", "products", 20)]
    [InlineData("fakestore", "carts", 7)]
    [InlineData("fakestore", "users", 10)]
    [InlineData("dummyjson", "products", 194)]
    [InlineData("dummyjson", "carts", 208)]
    [InlineData("dummyjson", "users", 208)]
    public async Task Fixture_feed_has_its_known_record_count(string source, string entity, int count)
    {
        var reader = new SnapshotReader(SampleData.ApisDirectory);

        var feed = await reader.ReadAsync(new Feed(source, entity));

        Assert.False(feed.IsMissing);
        Assert.Equal(count, feed.Records.Count);
        Assert.Equal(Enumerable.Range(0, count), feed.Records.Select(r => r.Index));
        // The documented layout, <dir>/<source>/<entity>.json, written out rather than asked of the reader.
        Assert.Equal($"{SampleData.ApisDirectory}/{source}/{entity}.json", feed.Origin);
    }

    [Fact]
    public async Task Dummyjson_page_wrapper_is_unwrapped_by_the_entity_property()
    {
        using var dir = new TempDirectory();
        dir.Write("dummyjson", "products", """{"products":[{"id":1},{"id":2},{"id":3}],"total":194,"skip":0,"limit":3}""");

        var feed = await new SnapshotReader(dir.Path).ReadAsync(new Feed("dummyjson", "products"));

        Assert.Equal([1, 2, 3], feed.Records.Select(r => r.Element.GetProperty("id").GetInt32()));
    }

    [Fact]
    public async Task Missing_file_is_reported_as_missing_not_as_an_error()
    {
        using var dir = new TempDirectory();
        dir.Write("fakestore", "products", "[]");

        var reader = new SnapshotReader(dir.Path);
        var present = await reader.ReadAsync(new Feed("fakestore", "products"));
        var missing = await reader.ReadAsync(new Feed("fakestore", "carts"));
        var missingSource = await reader.ReadAsync(new Feed("dummyjson", "users"));

        Assert.False(present.IsMissing);
        Assert.Empty(present.Records);
        Assert.True(missing.IsMissing);
        Assert.True(missingSource.IsMissing);
        Assert.Empty(missing.Records);
    }

    [Fact]
    public async Task Invalid_json_fails_with_a_message_naming_the_file()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("fakestore", "users", """[{"id":1},{"id":2""");

        var error = await Assert.ThrowsAsync<IngestException>(() => new SnapshotReader(dir.Path).ReadAsync(new Feed("fakestore", "users")));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"items":[{"id":1}],"total":1}""")]
    [InlineData("""{"carts":{"id":1}}""")]
    [InlineData("42")]
    public async Task Json_that_is_neither_array_nor_page_fails_naming_the_file(string content)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("dummyjson", "carts", content);

        var error = await Assert.ThrowsAsync<IngestException>(() => new SnapshotReader(dir.Path).ReadAsync(new Feed("dummyjson", "carts")));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("'carts'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Directory_that_does_not_exist_fails_at_once()
    {
        var error = Assert.Throws<IngestException>(() => new SnapshotReader(Path.Combine(Path.GetTempPath(), "no-such-snapshot-" + Guid.NewGuid())));

        Assert.Contains("no-such-snapshot-", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_outlive_the_read()
    {
        var feed = await new SnapshotReader(SampleData.ApisDirectory).ReadAsync(new Feed("fakestore", "carts"));
        GC.Collect();

        Assert.Equal(7, feed.Records[^1].Element.GetProperty("id").GetInt32());
    }
}
