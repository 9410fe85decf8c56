using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Interfaces.Records;
using Xunit;

namespace Shopstream.Ingest.Tests.Contracts;

// Every expected value is hashlib.sha256(...).hexdigest() in python3, computed outside the code under test.
public sealed class ContentHashTests
{
    [Fact]
    public void Text_is_hashed_as_its_utf8_bytes_in_lower_case_hex()
    {
        // hashlib.sha256("héllo €".encode()).hexdigest()
        Assert.Equal("9cb52b6d1cfc1eae34c63c2b0ff0d49ed8ef2c82482b3c455747594c83754098", ContentHash.OfText("héllo €"));
    }

    [Fact]
    public void Empty_text_has_the_hash_of_no_bytes()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ContentHash.OfText(""));
    }

    [Fact]
    public void Unpaired_surrogate_in_text_is_hashed_as_the_replacement_character()
    {
        // hashlib.sha256(b"\xef\xbf\xbd").hexdigest(): what UTF-8 encoding has always made of it.
        Assert.Equal("83d544ccc223c057d2bf80d3f2a32982c32c3c0db8e2674820da5064783fb097", ContentHash.OfText("\uD800"));
    }

    [Fact]
    public void Bytes_are_hashed_as_they_are()
    {
        // hashlib.sha256(bytes([0x00, 0xff, 0x10])).hexdigest()
        Assert.Equal("2da45f2cd1f9c8e69a67abf7a6b26c282533d0a7686787a9533265418680d4d2", ContentHash.OfBytes([0x00, 0xff, 0x10]));
    }

    [Fact]
    public void Parts_are_joined_with_the_unit_separator_and_a_null_part_is_a_nul()
    {
        // hashlib.sha256(b"a\x1f\x00\x1f").hexdigest(): "a", null, "".
        Assert.Equal("024f10fe8029f4c7b027d3926d2491b6558e66b2e6ba857db1e5c31a27dc2da8", ContentHash.OfParts("a", null, ""));
        Assert.Equal("a\u001f\u0000\u001f", ContentHash.JoinParts("a", null, ""));
    }

    [Fact]
    public void Moving_characters_between_parts_changes_the_hash()
    {
        // hashlib.sha256(b"a\x1fbc").hexdigest() and hashlib.sha256(b"ab\x1fc").hexdigest()
        Assert.Equal("624ce4e22aa197da43bff3bcb4717e5be15ee5272a4a2e42d0be6713c426db57", ContentHash.OfParts("a", "bc"));
        Assert.Equal("9617c506357d3d46bb660dbde5253de2da791e361df51c47ba4aaa18091bc693", ContentHash.OfParts("ab", "c"));
    }

    [Fact]
    public void Record_is_hashed_as_its_canonical_wire_json_with_snake_case_names_and_nulls_kept()
    {
        // hashlib.sha256(b'{"name":"na\\u00EFve","count":null,"price":1.50}').hexdigest()
        Assert.Equal(
            "1b81c8e88c19165e899a429e88636fbe10f44381a07608c7ec03b7f10501df5d",
            ContentHash.OfRecord(new Sample("naïve", null, 1.50m)));
    }

    [Fact]
    public void Fact_id_is_event_id_and_product_key_joined_and_its_key_is_the_hash_of_that_id()
    {
        Assert.Equal("evt-1\u001f42", EventFact.IdOf("evt-1", "42"));
        Assert.Equal("evt-1\u001f", EventFact.IdOf("evt-1", null));
        // hashlib.sha256(b"evt-1\x1f42").hexdigest() and hashlib.sha256(b"evt-1\x1f").hexdigest()
        Assert.Equal("5a8c6222f8d54f84dfc60f7f10992b780da2b05ba825718e552a525a7b71db4e", EventFact.KeyOf("evt-1", "42"));
        Assert.Equal("50558b5b195b3c2d1a71652aa292f151c28630b833ee62410976ce96fe5f465e", EventFact.KeyOf("evt-1", null));
    }

    private sealed record Sample(string Name, long? Count, decimal Price);
}
