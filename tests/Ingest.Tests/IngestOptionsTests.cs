using Xunit;

namespace Shopstream.Ingest.Tests;

public sealed class IngestOptionsTests
{
    [Fact]
    public void Defaults_point_at_the_public_apis_and_are_valid()
    {
        var options = new IngestOptions();

        options.Validate();
        Assert.Equal(new Uri("https://fakestoreapi.com"), options.FakeStoreBaseUrl);
        Assert.Equal(new Uri("https://dummyjson.com"), options.DummyJsonBaseUrl);
    }

    public static TheoryData<string, Action<IngestOptions>> InvalidSettings => new()
    {
        { "FakeStoreBaseUrl", o => o.FakeStoreBaseUrl = new Uri("ftp://fakestoreapi.com") },
        { "DummyJsonBaseUrl", o => o.DummyJsonBaseUrl = new Uri("/relative", UriKind.Relative) },
        { "HttpTimeout", o => o.HttpTimeout = TimeSpan.Zero },
        { "MaxRetries", o => o.MaxRetries = -1 },
        { "RetryBaseDelay", o => o.RetryBaseDelay = TimeSpan.FromSeconds(-1) },
        { "PageSize", o => o.PageSize = 0 },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Validation_message_names_the_bad_key(string key, Action<IngestOptions> spoil)
    {
        var options = new IngestOptions();
        spoil(options);

        var error = Assert.Throws<IngestException>(options.Validate);

        Assert.StartsWith($"Ingest:{key} ", error.Message, StringComparison.Ordinal);
    }
}
