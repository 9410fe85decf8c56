using Shopstream.Ingest.Rejection;
using Shopstream.Ingest.Sources;
using Shopstream.Ingest.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests;

public sealed class RejectedPayloadTests
{
    [Fact]
    public void Redacted_dummyjson_user_has_no_password_ssn_bank_or_crypto_but_keeps_the_rest()
    {
        var raw = SampleData.Raw(SourceNames.DummyJson, "users")[0];

        var payload = RejectedPayload.Redact(raw);

        Assert.DoesNotContain("password", payload, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("emilyspass", payload, StringComparison.Ordinal);
        Assert.DoesNotContain("\"ssn\"", payload, StringComparison.Ordinal);
        Assert.DoesNotContain("\"bank\"", payload, StringComparison.Ordinal);
        Assert.DoesNotContain("\"crypto\"", payload, StringComparison.Ordinal);
        Assert.DoesNotContain(raw.GetProperty("bank").GetProperty("iban").GetString()!, payload, StringComparison.Ordinal);
        Assert.Contains("\"email\":\"emily.johnson@x.dummyjson.com\"", payload, StringComparison.Ordinal);
        Assert.Contains("\"postalCode\":\"29112\"", payload, StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_are_removed_at_any_depth_whatever_their_spelling()
    {
        var payload = RejectedPayload.Redact(SampleData.Json(
            """{"id":1,"Password":"a","user":{"password_hash":"b","accessToken":"c","keep":1},"list":[{"client-secret":"d","x":2}]}"""));

        Assert.Equal("""{"id":1,"user":{"keep":1},"list":[{"x":2}]}""", payload);
    }

    [Fact]
    public void Redaction_normalizes_whitespace_and_keeps_text_readable()
    {
        var compact = RejectedPayload.Redact(SampleData.Json("""{"category":"men's clothing","price":"x"}"""));
        var spaced = RejectedPayload.Redact(SampleData.Json("{ \"category\" : \"men's clothing\",\n  \"price\" : \"x\" }"));

        Assert.Equal(compact, spaced);
        Assert.Equal("""{"category":"men's clothing","price":"x"}""", compact);
    }

    [Fact]
    public void Fingerprint_is_stable_lowercase_hex_sha256()
    {
        var first = RejectedPayload.Fingerprint("ingest", "fakestore", "products", """{"id":1}""");
        var again = RejectedPayload.Fingerprint("ingest", "fakestore", "products", """{"id":1}""");

        Assert.Equal(first, again);
        // SHA-256 of "ingest\nfakestore\nproducts\n{"id":1}", computed outside this code base (Python's hashlib).
        Assert.Equal("c75c5a3ecf89a57eccc9fac291816d95296a94ddfe91bb10e9e106ded0415fb2", first);
    }

    [Fact]
    public void Fingerprint_differs_by_stage_source_entity_and_payload()
    {
        var fingerprints = new[]
        {
            RejectedPayload.Fingerprint("ingest", "fakestore", "products", "{}"),
            RejectedPayload.Fingerprint("decode", "fakestore", "products", "{}"),
            RejectedPayload.Fingerprint("ingest", "dummyjson", "products", "{}"),
            RejectedPayload.Fingerprint("ingest", "fakestore", "carts", "{}"),
            RejectedPayload.Fingerprint("ingest", "fakestore", "products", "[]"),
        };

        Assert.Equal(fingerprints.Length, fingerprints.Distinct().Count());
    }

    [Theory]
    [InlineData("password", true)]
    [InlineData("passwordHash", true)]
    [InlineData("refresh_token", true)]
    [InlineData("ssn", true)]
    [InlineData("cardNumber", true)]
    [InlineData("card_number", true)]
    [InlineData("Card-Number", true)]
    [InlineData("creditCard", true)]
    [InlineData("CVV", true)]
    [InlineData("cvc2", true)]
    [InlineData("api_key", true)]
    [InlineData("apiKey", true)]
    [InlineData("APIKey", true)]
    [InlineData("x-api-key", true)]
    [InlineData("privateKey", true)]
    [InlineData("Authorization", true)]
    [InlineData("auth_header", true)]
    [InlineData("iban", true)]
    [InlineData("pin", true)]
    [InlineData("pin_code", true)]
    [InlineData("PWD", true)]
    [InlineData("mypassword", true)]
    [InlineData("client_secret", true)]
    [InlineData("email", false)]
    [InlineData("username", false)]
    [InlineData("address", false)]
    [InlineData("pinned", false)]
    [InlineData("spinner", false)]
    [InlineData("author", false)]
    [InlineData("cart_id", false)]
    [InlineData("keyword", false)]
    [InlineData("session_id", false)]
    [InlineData("discard", false)]
    public void Secret_names_are_recognised(string name, bool secret)
    {
        Assert.Equal(secret, RejectedPayload.IsSecret(name));
    }

    [Theory]
    [InlineData("""{"password":"hunter2","note":"x"}""", """{"password":[redacted],"note":"x"}""")]
    [InlineData("""{'pin': 1234, 'ok': 1}""", """{'pin': [redacted], 'ok': 1}""")]
    [InlineData("password=hunter2&user=bob", "password=[redacted]&user=bob")]
    [InlineData("""{"user":"{\"api_key\":\"ak-9\"}"}""", """{"user":"{\"api_key\":[redacted]}"}""")]
    [InlineData("""{"cardNumber":"4111 1111""", """{"cardNumber":[redacted]""")]
    [InlineData("""mail alice@example.com or bob%40example.org""", "mail [redacted] or [redacted]")]
    public void Excerpt_masks_secret_values_and_email_addresses(string text, string excerpt)
    {
        using var kept = System.Text.Json.JsonDocument.Parse(RejectedPayload.Excerpt(text));

        Assert.Equal(excerpt, kept.RootElement.GetProperty("excerpt").GetString());
    }

    [Fact]
    public void Excerpt_keeps_1024_characters_and_never_splits_a_surrogate_pair()
    {
        var text = new string('a', 1023) + "\U0001F600" + "tail";

        using var kept = System.Text.Json.JsonDocument.Parse(RejectedPayload.Excerpt(text));

        Assert.Equal(new string('a', 1023), kept.RootElement.GetProperty("excerpt").GetString());
        // 1023 + 4 (the emoji) + 4 bytes of UTF-8.
        Assert.Equal(1031, kept.RootElement.GetProperty("length").GetInt32());
    }

    [Fact]
    public void Excerpt_of_text_with_nul_and_invalid_utf8_is_storable_json()
    {
        var payload = RejectedPayload.Excerpt([0x61, 0x00, 0xFF, 0x62]);

        Assert.DoesNotContain('\0', payload);
        using var kept = System.Text.Json.JsonDocument.Parse(payload);
        Assert.Equal("a\0\uFFFDb", kept.RootElement.GetProperty("excerpt").GetString());
    }

    [Fact]
    public void Record_with_an_unreadable_string_is_kept_as_an_excerpt_instead_of_throwing()
    {
        var payload = RejectedPayload.Redact(SampleData.Json("""{"id":1,"title":"\ud800","password":"pw-7"}"""));

        using var kept = System.Text.Json.JsonDocument.Parse(payload);
        Assert.Equal("""{"id":1,"title":"\ud800","password":[redacted]}""", kept.RootElement.GetProperty("excerpt").GetString());
    }

    [Fact]
    public void Identity_keeps_the_source_and_id_only()
    {
        var raw = SampleData.Raw(SourceNames.DummyJson, "users")[0];

        Assert.Equal("""{"source":"dummyjson","id":1}""", RejectedPayload.Identity(SourceNames.DummyJson, raw));
        Assert.Equal("""{"source":"fakestore"}""", RejectedPayload.Identity(SourceNames.FakeStore, SampleData.Json("""{"id":[1]}""")));
    }
}
