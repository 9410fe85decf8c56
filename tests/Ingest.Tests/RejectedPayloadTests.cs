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
    [InlineData("email", false)]
    [InlineData("username", false)]
    [InlineData("address", false)]
    public void Secret_names_are_recognised(string name, bool secret)
    {
        Assert.Equal(secret, RejectedPayload.IsSecret(name));
    }
}
