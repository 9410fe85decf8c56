using System.Text.Json;
using Shopstream.Ingest.Http;
using Xunit;
using static Shopstream.Ingest.Tests.Events.HostileEvents;

namespace Shopstream.Ingest.Tests.Http;

/// <summary>Splitting a body into events: one bad element or line never takes the others with it.</summary>
public sealed class EventsBodyTests
{
    private static readonly byte[] InvalidUtf8 = [0xC3, 0x28, 0xFF];

    private static string IdOf(RawEvent raw) => raw.Element.GetProperty("event_id").GetString()!;

    [Fact]
    public void Invalid_utf8_in_one_array_element_rejects_that_element_only()
    {
        var body = Bytes("[", Event("a"), ",{\"event_id\":\"b\",\"utm_source\":\"", InvalidUtf8, "\"},", Event("c"), "]");

        var events = EventsBody.Read(body, ndjson: false);

        Assert.Equal([0, 1, 2], events.Select(e => e.Index));
        Assert.Equal("a", IdOf(events[0]));
        Assert.Equal("event: not valid UTF-8", events[1].Error);
        Assert.Equal("c", IdOf(events[2]));
    }

    [Fact]
    public void Broken_syntax_in_one_array_element_rejects_that_element_only()
    {
        var events = EventsBody.Read(Utf8("[" + Event("a") + ", {\"event_id\": } ,\n" + Event("c") + "]"), ndjson: false);

        Assert.Equal(3, events.Count);
        Assert.Null(events[0].Error);
        Assert.StartsWith("event: not valid JSON (", events[1].Error, StringComparison.Ordinal);
        Assert.Equal("c", IdOf(events[2]));
    }

    [Fact]
    public void Commas_and_brackets_inside_strings_do_not_split_an_element()
    {
        var events = EventsBody.Read(Utf8("""[{"event_id":"a,]}[{","note":"say \"],\" twice"},{"event_id":"b"}]"""), ndjson: false);

        Assert.Equal(["a,]}[{", "b"], events.Select(IdOf));
    }

    [Fact]
    public void Array_element_larger_than_64_kb_is_rejected_alone_before_parsing()
    {
        var big = Event("big", ("user_agent", Long(70_000)));
        var events = EventsBody.Read(Utf8("[" + Event("a") + "," + big + "," + Event("c") + "]"), ndjson: false);

        Assert.Equal($"event: larger than 65536 bytes of JSON ({Utf8(big).Length})", events[1].Error);
        Assert.Equal(["a", "c"], new[] { events[0], events[2] }.Select(IdOf));
    }

    [Fact]
    public void Array_element_of_exactly_64_kb_is_parsed()
    {
        var template = Event("edge", ("user_agent", "\"\""));
        var exact = Event("edge", ("user_agent", Long(65536 - Utf8(template).Length)));

        var raw = Assert.Single(EventsBody.Read(Utf8("[" + exact + "]"), ndjson: false));

        Assert.Equal(65536, Utf8(exact).Length);
        Assert.Null(raw.Error);
    }

    [Fact]
    public void Ndjson_index_is_the_line_number_counting_blank_lines()
    {
        var body = Bytes(Event("a"), "\n\n", "{\"event_id\":\"", InvalidUtf8, "\"}\r\n", "   \n", Event("e"), "\n");

        var events = EventsBody.Read(body, ndjson: true);

        Assert.Equal([0, 2, 4], events.Select(e => e.Index));
        Assert.Equal("event: not valid UTF-8", events[1].Error);
        Assert.Equal("e", IdOf(events[2]));
    }

    [Fact]
    public void Ndjson_line_larger_than_64_kb_is_rejected_alone()
    {
        var events = EventsBody.Read(Utf8(Event("a") + "\n" + Event("big", ("user_agent", Long(1_000_000))) + "\n" + Event("c")), ndjson: true);

        Assert.Null(events[0].Error);
        Assert.StartsWith("event: larger than 65536 bytes of JSON (", events[1].Error, StringComparison.Ordinal);
        Assert.Null(events[2].Error);
    }

    [Fact]
    public void Element_nested_deeper_than_the_parser_allows_is_rejected_alone()
    {
        var deep = "{\"event_id\":\"deep\",\"x\":" + new string('[', 1000) + new string(']', 1000) + "}";

        var events = EventsBody.Read(Utf8("[" + deep + "," + Event("b") + "]"), ndjson: false);

        Assert.StartsWith("event: not valid JSON (", events[0].Error, StringComparison.Ordinal);
        Assert.Equal("b", IdOf(events[1]));
    }

    [Fact]
    public void Text_after_the_closing_bracket_is_one_more_rejection()
    {
        var events = EventsBody.Read(Utf8("[" + Event("a") + "] trailing"), ndjson: false);

        Assert.Equal(2, events.Count);
        Assert.Null(events[0].Error);
        Assert.Equal((1, "body: text after the array's closing ]"), (events[1].Index, events[1].Error));
    }

    [Fact]
    public void A_comma_too_many_is_an_empty_element()
    {
        var events = EventsBody.Read(Utf8("[" + Event("a") + ",,]"), ndjson: false);

        Assert.Equal([null, "event: empty", "event: empty array element (a comma too many)"], events.Select(e => e.Error));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n ")]
    [InlineData("[]")]
    [InlineData(" [ \n ] ")]
    public void Empty_body_or_array_has_no_events(string body)
    {
        Assert.Empty(EventsBody.Read(Utf8(body), ndjson: false));
    }

    [Fact]
    public void Byte_order_mark_is_skipped()
    {
        var raw = Assert.Single(EventsBody.Read(Bytes(new byte[] { 0xEF, 0xBB, 0xBF }, Event("a")), ndjson: false));

        Assert.Equal("a", IdOf(raw));
    }

    [Fact]
    public void Single_object_with_invalid_utf8_is_one_rejection_with_a_hint()
    {
        var raw = Assert.Single(EventsBody.Read(Bytes("{\"event_id\":\"", InvalidUtf8, "\"}"), ndjson: false));

        Assert.Equal("body: not valid UTF-8; send one object, an array or NDJSON with Content-Type: application/x-ndjson", raw.Error);
    }

    [Fact]
    public void Unparsable_text_is_kept_as_an_excerpt_with_length_and_hash()
    {
        var raw = Assert.Single(EventsBody.Read(Utf8("{\"event_id\": broken"), ndjson: true));

        using var kept = JsonDocument.Parse(raw.Text!);
        Assert.Equal("{\"event_id\": broken", kept.RootElement.GetProperty("excerpt").GetString());
        Assert.Equal(19, kept.RootElement.GetProperty("length").GetInt32());
        // sha256 of the 19 bytes above, computed with sha256sum.
        Assert.Equal("5892ef230cf0d7a33e4ee7726b8c551e0b186cbfb278ce76c7bb0875b23c76a6", kept.RootElement.GetProperty("sha256").GetString());
    }
}
