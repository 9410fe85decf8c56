using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Shopstream.Pipeline.Tests.Infrastructure;

namespace Shopstream.Pipeline.Tests.Clickstream;

/// <summary>
/// Clickstream events built from the real DummyJSON users (ip, userAgent, address) and products in samples/apis, in
/// the three shapes the API accepts, and the bodies to post them in.
/// </summary>
internal static partial class ClickstreamEvents
{
    private static readonly Lazy<JsonElement[]> AllUsers = new(() => [.. Fixtures.Load("dummyjson", "users").EnumerateArray()]);
    private static readonly Lazy<JsonElement[]> AllProducts = new(() => [.. Fixtures.Load("dummyjson", "products").EnumerateArray()]);

    public static IReadOnlyList<JsonElement> Users => AllUsers.Value;

    public static IReadOnlyList<JsonElement> Products => AllProducts.Value;

    /// <summary>Products whose title reads the same as the name a slug of it gives back ("Essence Mascara Lash Princess").</summary>
    public static IReadOnlyList<JsonElement> SluggableProducts =>
        [.. Products.Where(p => CapitalizedWords().IsMatch(TitleOf(p)))];

    public static long IdOf(JsonElement entity) => entity.GetProperty("id").GetInt64();

    public static string TitleOf(JsonElement product) => product.GetProperty("title").GetString()!;

    public static string IpOf(JsonElement user) => user.GetProperty("ip").GetString()!;

    public static string UserAgentOf(JsonElement user) => user.GetProperty("userAgent").GetString()!;

    public static string CountryOf(JsonElement user) => user.GetProperty("address").GetProperty("country").GetString()!;

    public static string CityOf(JsonElement user) => user.GetProperty("address").GetProperty("city").GetString()!;

    public static string PageOf(JsonElement product) =>
        "https://shop.example.com/products/" + string.Join('-', TitleOf(product).ToLowerInvariant().Split(' '));

    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A generic event (has its own id and a location text).</summary>
    public static JsonObject Generic(string eventId, string type, string session, JsonElement user, string? productId, DateTimeOffset at,
        string? ip = null, string? referrer = null, string? page = null, string? store = null) => new()
        {
            ["event_id"] = eventId,
            ["event_type"] = type,
            ["timestamp"] = Utc(at),
            ["session_id"] = session,
            ["user_id"] = IdOf(user),
            ["product_id"] = productId,
            ["ip"] = ip ?? IpOf(user),
            ["user_agent"] = UserAgentOf(user),
            ["referrer_url"] = referrer,
            ["current_url"] = page,
            ["store_id"] = store,
            ["location"] = $"{CityOf(user)}, {CountryOf(user)}",
            ["email_address"] = user.GetProperty("email").GetString(),
        };

    /// <summary>A web tracker product view (unix seconds, collection, device id as session key).</summary>
    public static JsonObject WebTrackerView(string eventId, string device, JsonElement user, string productId, DateTimeOffset at,
        string? ip = null, string? referrer = null, string? page = null, string? store = null) => new()
        {
            ["_id"] = eventId,
            ["collection"] = "view_product_detail",
            ["time_stamp"] = at.ToUnixTimeSeconds(),
            ["device_id"] = device,
            ["user_id_db"] = IdOf(user).ToString(CultureInfo.InvariantCulture),
            ["product_id"] = productId,
            ["ip"] = ip ?? IpOf(user),
            ["user_agent"] = UserAgentOf(user),
            ["referrer_url"] = referrer,
            ["current_url"] = page,
            ["store_id"] = store,
            ["resolution"] = "1920x1080",
        };

    /// <summary>A product view feed event: no event id (its content is its identity) and no user agent.</summary>
    public static JsonObject FeedView(string device, JsonElement user, string productId, DateTimeOffset at,
        string? ip = null, string? referrer = null, string? store = null) => new()
        {
            ["product_id"] = productId,
            ["device_id"] = device,
            ["store_id"] = store,
            ["referrer_url"] = referrer,
            ["remote_ip"] = ip ?? IpOf(user),
            ["timestamp"] = Utc(at),
        };

    public static string Ndjson(IEnumerable<JsonNode> events)
    {
        var body = new StringBuilder();
        foreach (var e in events)
        {
            body.Append(e.ToJsonString()).Append('\n');
        }
        return body.ToString();
    }

    public static string Array(IEnumerable<JsonNode> events) => new JsonArray([.. events.Select(e => e.DeepClone())]).ToJsonString();

    [GeneratedRegex(@"^[A-Z][a-z]+( [A-Z][a-z]+)+$")]
    private static partial Regex CapitalizedWords();
}
