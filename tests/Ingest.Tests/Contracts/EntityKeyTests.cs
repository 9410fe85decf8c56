using System.Globalization;
using Shopstream.Grains.Interfaces;
using Xunit;

namespace Shopstream.Ingest.Tests.Contracts;

public sealed class EntityKeyTests
{
    [Fact]
    public void Key_is_written_as_source_colon_id()
    {
        Assert.Equal("dummyjson:5", new EntityKey("dummyjson", 5).ToString());
        Assert.Equal("events-api:evt-1", new EntityKey("events-api", "evt-1").ToString());
    }

    [Fact]
    public void Numeric_id_is_written_invariantly_whatever_the_current_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        var odd = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        odd.NumberFormat.NegativeSign = "~";
        CultureInfo.CurrentCulture = odd;
        try
        {
            Assert.Equal("fakestore:-12", new EntityKey("fakestore", -12).ToString());
            Assert.True(EntityKey.TryCreate("fakestore", -12, out var key));
            Assert.Equal("-12", key.Id);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Parsed_key_has_the_source_before_the_first_colon_and_the_id_after_it()
    {
        var key = EntityKey.Parse("dummyjson:5");

        Assert.Equal("dummyjson", key.Source);
        Assert.Equal("5", key.Id);
        Assert.Equal(new EntityKey("dummyjson", 5), key);
    }

    [Theory]
    [InlineData("dummyjson:5")]
    [InlineData("events-api:a:b")]
    [InlineData("events-api:#3")]
    [InlineData("s:\u0000")]
    public void Written_key_parses_back_to_the_same_text(string text)
    {
        Assert.True(EntityKey.TryParse(text, out var key));
        Assert.Equal(text, key.ToString());
    }

    [Fact]
    public void Id_may_hold_colons()
    {
        var key = new EntityKey("events-api", "urn:evt:1");

        Assert.Equal("events-api:urn:evt:1", key.ToString());
        Assert.Equal(key, EntityKey.Parse("events-api:urn:evt:1"));
    }

    [Fact]
    public void Unidentified_record_is_keyed_by_source_entity_and_index_and_parses_back_to_the_same_key()
    {
        var key = EntityKey.OfUnidentified("dummyjson", "products", 3);

        Assert.Equal("dummyjson:products:3", key.ToString());
        Assert.Equal("products:3", key.Id);
        Assert.Equal(key, EntityKey.Parse("dummyjson:products:3"));
    }

    [Theory]
    [InlineData("dummy:json")]
    [InlineData(":")]
    [InlineData("")]
    public void Source_that_is_empty_or_holds_a_colon_is_rejected(string source)
    {
        var thrown = Assert.Throws<ArgumentException>(() => new EntityKey(source, "5"));
        Assert.Equal("source", thrown.ParamName);
        Assert.Throws<ArgumentException>(() => new EntityKey(source, 5));
        Assert.False(EntityKey.TryCreate(source, "5", out _));
    }

    [Fact]
    public void Empty_id_is_rejected()
    {
        var thrown = Assert.Throws<ArgumentException>(() => new EntityKey("dummyjson", ""));
        Assert.Equal("id", thrown.ParamName);
        Assert.False(EntityKey.TryCreate("dummyjson", "", out _));
    }

    [Fact]
    public void Null_source_cannot_form_a_key()
    {
        Assert.False(EntityKey.TryCreate(null, 5, out _));
        Assert.Throws<ArgumentNullException>(() => new EntityKey(null!, 5));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("5")]
    [InlineData(":5")]
    [InlineData("dummyjson:")]
    public void Text_without_a_source_and_an_id_is_not_a_key(string? text)
    {
        Assert.False(EntityKey.TryParse(text, out _));
    }

    [Fact]
    public void Parsing_text_that_is_not_a_key_throws_a_format_exception_naming_it()
    {
        var thrown = Assert.Throws<FormatException>(() => EntityKey.Parse("dummyjson"));
        Assert.Contains("'dummyjson'", thrown.Message, StringComparison.Ordinal);
    }
}
