using Shopstream.Grains.Sessions;
using Xunit;

namespace Shopstream.Pipeline.Tests.Clickstream;

/// <summary>Which product grain an event's product id names: <c>source:id</c>, or a bare id of the events catalogue.</summary>
public sealed class CatalogueProductTests
{
    [Fact]
    public void Qualified_product_id_names_its_own_catalogue_whatever_the_events_catalogue()
    {
        Assert.Equal(new CatalogueProduct("dummyjson", 5), CatalogueProduct.Of("dummyjson:5", "fakestore"));
        Assert.Equal("dummyjson:5", CatalogueProduct.Of("dummyjson:5", null)!.Key);
    }

    [Fact]
    public void Bare_product_id_names_the_events_catalogue()
    {
        Assert.Equal(new CatalogueProduct("fakestore", 7), CatalogueProduct.Of("7", "fakestore"));
    }

    [Fact]
    public void Bare_product_id_without_an_events_catalogue_names_no_product()
    {
        Assert.Null(CatalogueProduct.Of("7", null));
        Assert.Null(CatalogueProduct.Of("7", ""));
    }

    [Theory]
    [InlineData("dummyjson:")]
    [InlineData(":5")]
    [InlineData("DummyJson:5")]
    [InlineData("dummyjson:5:6")]
    [InlineData("dummyjson:-5")]
    [InlineData("dummyjson:x")]
    public void Product_id_that_is_no_catalogue_key_names_no_product(string productKey)
    {
        Assert.Null(CatalogueProduct.Of(productKey, "fakestore"));
    }
}
