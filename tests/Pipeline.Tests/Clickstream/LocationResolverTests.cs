using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Projection;
using Shopstream.Silo.Geo;

namespace Shopstream.Pipeline.Tests.Clickstream;

/// <summary>dim_location rows from the MaxMind test database (samples/geoip), the event's location text, its store, or Unknown.</summary>
public sealed class LocationResolverTests
{
    private static ClickEvent Event(string? ip = null, string? location = null, string? store = null) => new()
    {
        EventId = "e",
        EventType = "product_view",
        OccurredAt = DateTimeOffset.UnixEpoch,
        SessionKey = "s",
        Ip = ip,
        Location = location,
        StoreId = store,
        Browser = "Unknown",
        Os = "Unknown",
        DeviceType = "unknown",
        ReferrerType = "direct",
    };

    [Theory]
    [InlineData("81.2.69.160", "GB", "United Kingdom", "England", "London")]
    [InlineData("216.160.83.56", "US", "United States", "Washington", "Milton")]
    [InlineData("89.160.20.128", "SE", "Sweden", "Östergötland County", "Linköping")]
    [InlineData("2001:480:10::1", "US", "United States", "California", "San Diego")]
    public void Address_in_the_database_is_located_by_it(string ip, string code, string country, string region, string city)
    {
        using var resolver = new LocationResolver(ClickstreamFixture.GeoIpDatabase);

        var row = resolver.Resolve(Event(ip, location: "Paris, France"));

        Assert.Equal(new LocationRow("ip:" + ip, ip, code, country, region, city), row);
    }

    [Fact]
    public void Address_the_database_does_not_know_falls_back_to_the_location_text()
    {
        using var resolver = new LocationResolver(ClickstreamFixture.GeoIpDatabase);

        Assert.Equal(new LocationRow("location:Phoenix, United States", null, null, "United States", null, "Phoenix"),
            resolver.Resolve(Event("1.1.1.1", location: "Phoenix, United States")));
        Assert.Equal(LocationResolver.Unknown, resolver.Resolve(Event("127.0.0.1")).CountryName);
    }

    [Fact]
    public void Without_a_database_the_location_text_then_the_store_then_unknown_decide()
    {
        using var resolver = new LocationResolver(null, new Dictionary<string, string> { ["12"] = "Hanoi, VN" });

        Assert.Equal("Sweden", resolver.Resolve(Event("81.2.69.160", location: "Sweden")).CountryName);
        Assert.Equal(new LocationRow("store:12", null, "VN", "Vietnam", null, "Hanoi"), resolver.Resolve(Event("81.2.69.160", store: "12")));
        Assert.Equal(new LocationRow("unknown", null, null, "Unknown", null, null), resolver.Resolve(Event("81.2.69.160", store: "99")));
    }
}
