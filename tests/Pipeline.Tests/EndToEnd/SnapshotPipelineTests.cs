using System.Globalization;
using System.Text.Json;
using Shopstream.Pipeline.Tests.Infrastructure;

namespace Shopstream.Pipeline.Tests.EndToEnd;

/// <summary>
/// The whole snapshot end to end, on a two-silo cluster. Every expected row is computed here from the raw
/// fixture files, independently of the ingest's normalizers.
/// </summary>
public sealed class SnapshotPipelineTests(SnapshotPipelineFixture fixture) : IClassFixture<SnapshotPipelineFixture>
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    [Fact]
    public async Task Products_table_holds_every_product_of_both_sources_with_price_category()
    {
        var expected = new List<string>();
        foreach (var source in new[] { "fakestore", "dummyjson" })
        {
            foreach (var p in Fixtures.Load(source, "products").EnumerateArray())
            {
                var price = p.GetProperty("price").GetDecimal();
                var category = price < 50 ? "économique" : price < 100 ? "moyen" : "premium";
                var rating = source == "fakestore" ? p.GetProperty("rating").GetProperty("rate").GetDecimal() : p.GetProperty("rating").GetDecimal();
                var count = source == "fakestore" ? p.GetProperty("rating").GetProperty("count").GetInt32() : p.GetProperty("reviews").GetArrayLength();
                var image = source == "fakestore" ? p.GetProperty("image").GetString() : p.GetProperty("thumbnail").GetString();
                var stock = source == "dummyjson" ? p.GetProperty("stock").GetInt32().ToString(Inv) : "null";
                var brand = source == "dummyjson" && p.TryGetProperty("brand", out var b) ? b.GetString() : "null";
                expected.Add(string.Join("|", source, p.GetProperty("id").GetInt64().ToString(Inv), p.GetProperty("title").GetString(),
                    price.ToString("0.00", Inv), category, rating.ToString("0.00", Inv), count.ToString(Inv), image, stock, brand));
            }
        }
        var actual = await fixture.Pipeline.Database.RowsAsync(
            "SELECT source, id, title, to_char(price, 'FM999999990.00'), price_category, to_char(rating_value, 'FM990.00'), rating_count, image_url, stock, brand FROM products");
        Assert.Equal(214, expected.Count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Cart_items_have_one_row_per_cart_and_product_with_quantities_summed()
    {
        var expected = new List<string>();
        foreach (var source in new[] { "fakestore", "dummyjson" })
        {
            foreach (var cart in Fixtures.Load(source, "carts").EnumerateArray())
            {
                var id = cart.GetProperty("id").GetInt64();
                var lines = cart.GetProperty("products").EnumerateArray()
                    .GroupBy(l => l.GetProperty(source == "fakestore" ? "productId" : "id").GetInt64())
                    .Select(g => (Product: g.Key, Quantity: g.Sum(l => l.GetProperty("quantity").GetInt32())));
                DateTime? date = source == "fakestore" ? DateTime.Parse(cart.GetProperty("date").GetString()!, Inv, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal) : null;
                foreach (var (product, quantity) in lines)
                {
                    expected.Add(string.Join("|", source, id.ToString(Inv), product.ToString(Inv), quantity.ToString(Inv),
                        cart.GetProperty("userId").GetInt64().ToString(Inv),
                        date?.DayOfWeek.ToString() ?? "null", date?.ToString("MMMM", Inv) ?? "null"));
                }
            }
        }
        var actual = await fixture.Pipeline.Database.RowsAsync(
            "SELECT source, cart_id, product_id, quantity, user_id, day_of_week, month FROM cart_items");
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Dummyjson_total_quantity_is_preserved_for_every_cart()
    {
        var expected = Fixtures.Load("dummyjson", "carts").EnumerateArray()
            .Select(c => $"{c.GetProperty("id").GetInt64()}|{c.GetProperty("totalQuantity").GetInt64()}");
        var actual = await fixture.Pipeline.Database.RowsAsync(
            "SELECT cart_id, sum(quantity) FROM cart_items WHERE source = 'dummyjson' GROUP BY cart_id");
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Users_table_holds_normalized_users_and_no_secret()
    {
        var expected = new List<string>();
        foreach (var u in Fixtures.Load("fakestore", "users").EnumerateArray())
        {
            var a = u.GetProperty("address");
            expected.Add(string.Join("|", "fakestore", u.GetProperty("id").GetInt64().ToString(Inv), u.GetProperty("email").GetString(),
                u.GetProperty("username").GetString(), u.GetProperty("name").GetProperty("firstname").GetString(),
                u.GetProperty("name").GetProperty("lastname").GetString(),
                $"{a.GetProperty("number").GetInt32()} {a.GetProperty("street").GetString()}", a.GetProperty("city").GetString(), a.GetProperty("zipcode").GetString()));
        }
        foreach (var u in Fixtures.Load("dummyjson", "users").EnumerateArray())
        {
            var a = u.GetProperty("address");
            expected.Add(string.Join("|", "dummyjson", u.GetProperty("id").GetInt64().ToString(Inv), u.GetProperty("email").GetString(),
                u.GetProperty("username").GetString(), u.GetProperty("firstName").GetString(), u.GetProperty("lastName").GetString(),
                a.GetProperty("address").GetString(), a.GetProperty("city").GetString(), a.GetProperty("postalCode").GetString()));
        }
        var actual = await fixture.Pipeline.Database.RowsAsync(
            "SELECT source, id, email, username, first_name, last_name, address_street, address_city, address_zipcode FROM users");
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));

        var passwords = Fixtures.Load("dummyjson", "users").EnumerateArray().Select(u => u.GetProperty("password").GetString()!).Take(20);
        foreach (var password in passwords)
        {
            Assert.Equal(0, await fixture.Pipeline.Database.ScalarAsync(
                $"SELECT count(*) FROM users u WHERE position('{password.Replace("'", "''", StringComparison.Ordinal)}' IN u::text) > 0"));
        }
    }

    [Fact]
    public async Task Source_comparison_view_counts_each_source()
    {
        var rows = await fixture.Pipeline.Database.RowsAsync(
            "SELECT source, products, users, carts FROM vw_data_source_comparison ORDER BY source");
        Assert.Equal(["dummyjson|194|208|208", "fakestore|20|10|7"], rows);
    }

    [Fact]
    public async Task Cart_products_view_prices_fakestore_lines_from_the_product()
    {
        // FakeStore carts carry no price: the view takes the product's price of the same source.
        var mismatches = await fixture.Pipeline.Database.ScalarAsync("""
            SELECT count(*) FROM vw_cart_products v JOIN products p ON p.source = v.source AND p.id = v.product_id
            WHERE v.source = 'fakestore' AND (v.unit_price <> p.price OR v.total_price <> v.quantity * p.price)
            """);
        Assert.Equal(0, mismatches);
        Assert.True(await fixture.Pipeline.Database.ScalarAsync("SELECT count(*) FROM vw_cart_products WHERE source = 'fakestore' AND title IS NOT NULL") > 0);
    }

    [Fact]
    public void Every_fixture_record_was_produced_and_none_rejected()
    {
        Assert.Equal(214 + 215 + 218, fixture.Counts.Sum(c => c.Produced));
        Assert.Equal(0, fixture.Counts.Sum(c => c.Rejected));
    }

}
