using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Events;
using Xunit;
using static Shopstream.Ingest.Tests.Events.ClickEventFixtures;

namespace Shopstream.Ingest.Tests.Events;

public sealed class EmailHashingTests
{
    private readonly ClickEventNormalizer normalizer = new();

    private ClickEvent Accepted(JsonObject raw)
    {
        var result = normalizer.Normalize(raw.Element());
        Assert.True(result.IsAccepted, string.Join("; ", result.Errors));
        return result.Event;
    }

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Everything of the record a store or a log could ever see: its JSON, its ToString and each field.</summary>
    private static string Everything(ClickEvent clickEvent) =>
        JsonSerializer.Serialize(clickEvent, WireFormat.Json) + "\n" + clickEvent;

    private static void AssertNowhere(string address, ClickEvent clickEvent)
    {
        foreach (var form in new[] { address, Uri.EscapeDataString(address), address.Replace("@", "%40", StringComparison.Ordinal) })
        {
            Assert.DoesNotContain(form, Everything(clickEvent), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(form, clickEvent.Extras ?? "", StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(form, clickEvent.Options ?? "", StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Email_address_is_kept_only_as_the_sha256_of_its_lower_cased_trimmed_form()
    {
        var clickEvent = Accepted(WebTrackerView(Emily, Mascara));

        Assert.Equal("00b2ff22d03a14a65a2b33a2d9fc7355c1fcdde57bacf8070dce2d29fbcbea55", clickEvent.EmailSha256);
        Assert.Equal(Sha256Hex("emily.johnson@x.dummyjson.com"), clickEvent.EmailSha256);
    }

    [Fact]
    public void Case_and_surrounding_blanks_do_not_change_the_hash()
    {
        var plain = Accepted(WebTrackerView(Emily, Mascara));
        var shouted = Accepted(WebTrackerView(Emily, Mascara).With("email_address", "  Emily.Johnson@X.DummyJSON.com\t"));

        Assert.Equal(plain.EmailSha256, shouted.EmailSha256);
    }

    [Fact]
    public void The_address_of_none_of_the_dummyjson_users_appears_anywhere_in_their_events()
    {
        foreach (var (user, product) in Users.Zip(Products))
        {
            var address = TextOf(user, "email");
            var web = Accepted(WebTrackerView(user, product));
            var generic = Accepted(Generic(user, product, "purchase").With("email", address));

            Assert.Equal(Sha256Hex(address.ToLowerInvariant()), web.EmailSha256);
            Assert.Equal(web.EmailSha256, generic.EmailSha256);
            AssertNowhere(address, web);
            AssertNowhere(address, generic);
        }
    }

    [Fact]
    public void Address_in_a_url_query_string_or_an_extra_field_is_redacted()
    {
        var address = TextOf(Emily, "email");
        var raw = WebTrackerView(Emily, Mascara)
            .With("current_url", $"https://shop.example.com/checkout?email={Uri.EscapeDataString(address)}&step=2")
            .With("referrer_url", $"https://mail.example.org/read?from={address}")
            .With("note", $"contact {address.ToUpperInvariant()} later")
            .With("customer", new JsonObject { ["contactEmail"] = address, ["tier"] = "gold" })
            .With("option", new JsonArray(new JsonObject { ["option_label"] = "engraving", ["value_label"] = address }));

        var clickEvent = Accepted(raw);

        AssertNowhere(address, clickEvent);
        Assert.Equal("https://shop.example.com/checkout?email=[redacted]&step=2", clickEvent.CurrentUrl);
        Assert.Equal("https://mail.example.org/read?from=[redacted]", clickEvent.ReferrerUrl);
        Assert.Equal("mail.example.org", clickEvent.ReferrerDomain);
        var extras = JsonDocument.Parse(clickEvent.Extras!).RootElement;
        Assert.Equal("contact [redacted] later", extras.GetProperty("note").GetString());
        Assert.Equal("""{"tier":"gold"}""", extras.GetProperty("customer").GetRawText());
        Assert.Equal("""[{"option_label":"engraving","value_label":"[redacted]"}]""", clickEvent.Options);
    }

    [Fact]
    public void Any_field_named_like_an_email_is_left_out_of_the_extras()
    {
        var clickEvent = Accepted(Generic(Emily, Mascara, "page_view")
            .With("customer_email", "someone@example.com")
            .With("E-Mail", "someone.else@example.com")
            .With("newsletter", "yes"));

        Assert.Equal("""{"device":"desktop","price":9.99,"quantity":2,"newsletter":"yes"}""", clickEvent.Extras);
        AssertNowhere("someone@example.com", clickEvent);
        AssertNowhere("someone.else@example.com", clickEvent);
    }

    [Fact]
    public void Event_without_an_email_has_no_hash()
    {
        Assert.Null(Accepted(WebTrackerView(Emily, Mascara).Without("email_address")).EmailSha256);
        Assert.Null(Accepted(WebTrackerView(Emily, Mascara).With("email_address", "")).EmailSha256);
    }

    [Fact]
    public void Rejected_event_does_not_echo_the_address_in_its_errors()
    {
        var result = normalizer.Normalize(WebTrackerView(Emily, Mascara).With("email_address", "emily johnson@x.dummyjson.com").Element());

        Assert.Equal(["email_address: not an email address"], result.Errors);
        Assert.DoesNotContain("emily", string.Join("\n", result.Errors), StringComparison.OrdinalIgnoreCase);
    }
}
