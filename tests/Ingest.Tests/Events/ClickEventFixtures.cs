using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shopstream.Ingest.Sources;
using Shopstream.Ingest.Tests.Support;

namespace Shopstream.Ingest.Tests.Events;

/// <summary>
/// Click events built from the real DummyJSON users (ip, userAgent, email) and products, so that the normalizer
/// meets real user agents and addresses rather than strings written to pass.
/// </summary>
internal static class ClickEventFixtures
{
    private static readonly Lazy<IReadOnlyList<JsonElement>> AllUsers = new(() => SampleData.Raw(SourceNames.DummyJson, "users"));
    private static readonly Lazy<IReadOnlyList<JsonElement>> AllProducts = new(() => SampleData.Raw(SourceNames.DummyJson, "products"));

    public static IReadOnlyList<JsonElement> Users => AllUsers.Value;

    public static IReadOnlyList<JsonElement> Products => AllProducts.Value;

    /// <summary>The first user: Emily Johnson, 42.48.100.32, Chrome 96 on macOS.</summary>
    public static JsonElement Emily => Users[0];

    public static JsonElement Mascara => Products[0];

    public static long IdOf(JsonElement entity) => entity.GetProperty("id").GetInt64();

    public static string TextOf(JsonElement entity, string name) => entity.GetProperty(name).GetString()!;

    /// <summary>A web tracker <c>view_product_detail</c> event of <paramref name="user"/> viewing <paramref name="product"/>.</summary>
    public static JsonObject WebTrackerView(JsonElement user, JsonElement product) => new()
    {
        ["_id"] = string.Create(CultureInfo.InvariantCulture, $"5ed8cb2bc671fc36b74{IdOf(user):D3}{IdOf(product):D3}"),
        ["time_stamp"] = 1591266092,
        ["ip"] = TextOf(user, "ip"),
        ["user_agent"] = TextOf(user, "userAgent"),
        ["resolution"] = "1920x1080",
        ["user_id_db"] = IdOf(user).ToString(CultureInfo.InvariantCulture),
        ["device_id"] = $"device-{IdOf(user)}",
        ["api_version"] = "1.0",
        ["store_id"] = "12",
        ["local_time"] = "2020-06-04 17:21:32",
        ["show_recommendation"] = "false",
        ["current_url"] = $"https://shop.example.com/products/{IdOf(product)}",
        ["referrer_url"] = "https://www.google.com/",
        ["email_address"] = TextOf(user, "email"),
        ["recommendation"] = false,
        ["utm_source"] = "google",
        ["utm_medium"] = "cpc",
        ["collection"] = "view_product_detail",
        ["product_id"] = IdOf(product),
        ["option"] = new JsonArray(new JsonObject
        {
            ["option_label"] = "category",
            ["option_id"] = "1",
            ["value_label"] = TextOf(product, "category"),
            ["value_id"] = "11",
        }),
    };

    /// <summary>A product view feed event of <paramref name="user"/> viewing <paramref name="product"/>.</summary>
    public static JsonObject FeedView(JsonElement user, JsonElement product) => new()
    {
        ["product_id"] = IdOf(product).ToString(CultureInfo.InvariantCulture),
        ["device_id"] = $"device-{IdOf(user)}",
        ["store_id"] = "12",
        ["referrer_url"] = "https://l.facebook.com/",
        ["local_time"] = "2024-05-01T12:15:30",
        ["remote_ip"] = TextOf(user, "ip"),
        ["timestamp"] = "2024-05-01T10:15:30Z",
    };

    /// <summary>A generic event of <paramref name="type"/> by <paramref name="user"/> about <paramref name="product"/>.</summary>
    public static JsonObject Generic(JsonElement user, JsonElement product, string type) => new()
    {
        ["event_id"] = $"evt-{IdOf(user)}-{IdOf(product)}-{type}",
        ["event_type"] = type,
        ["user_id"] = IdOf(user),
        ["session_id"] = $"session-{IdOf(user)}",
        ["location"] = $"{user.GetProperty("address").GetProperty("city").GetString()}, {user.GetProperty("address").GetProperty("country").GetString()}",
        ["device"] = "desktop",
        ["timestamp"] = "2024-05-01T10:15:30.250+02:00",
        ["product_id"] = IdOf(product),
        ["price"] = product.GetProperty("price").GetDecimal(),
        ["quantity"] = 2,
        ["user_agent"] = TextOf(user, "userAgent"),
        ["ip"] = TextOf(user, "ip"),
        ["referrer_url"] = "https://www.bing.com/search?q=mascara",
    };

    public static JsonElement Element(this JsonNode node) => JsonSerializer.SerializeToElement(node);

    /// <summary>A copy of <paramref name="node"/> with <paramref name="name"/> set, or removed when <paramref name="value"/> is null.</summary>
    public static JsonObject With(this JsonObject node, string name, JsonNode? value)
    {
        var copy = (JsonObject)node.DeepClone();
        if (value is null)
        {
            copy.Remove(name);
        }
        else
        {
            copy[name] = value;
        }

        return copy;
    }

    public static JsonObject Without(this JsonObject node, string name) => node.With(name, null);
}
