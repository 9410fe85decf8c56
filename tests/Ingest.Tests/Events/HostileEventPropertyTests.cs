using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Events;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Rejection;
using Xunit;
using static Shopstream.Ingest.Tests.Events.HostileEvents;

namespace Shopstream.Ingest.Tests.Events;

/// <summary>
/// Randomized bodies: known-good events mixed with events whose fields hold random Unicode (NUL, control characters,
/// unpaired surrogates, astral characters), random lengths (0 to 10,000), random numbers and dates, and sometimes
/// bytes that are not UTF-8. Whatever comes, the invariants of the door hold.
/// </summary>
public sealed class HostileEventPropertyTests
{
    private const long Iterations = 400;

    private static readonly string[] TextFields =
    [
        "event_id", "session_id", "device_id", "user_id", "product_id", "store_id", "location", "user_agent", "current_url",
        "referrer_url", "utm_source", "utm_medium", "resolution", "device", "note", "timestamp",
    ];

    private static readonly string[] SecretSpellings = ["password", "Password", "card_number", "cardNumber", "api_key", "apiKey", "cvv", "iban", "pin", "accessToken", "client_secret", "Authorization"];

    /// <summary>One piece of text: mostly ordinary, sometimes the characters PostgreSQL or .NET choke on.</summary>
    private static readonly Gen<string> Piece = Gen.Frequency(
        (8, Gen.Char['a', 'z'].Select(c => c.ToString())),
        (2, Gen.Char["0123456789-:T.Z /?=&@%"].Select(c => c.ToString())),
        (1, Gen.Const("\0")),
        (1, Gen.Char['\u0001', '\u001f'].Select(c => c.ToString())),
        (1, Gen.Char['\ud800', '\udbff'].Select(c => c.ToString())),
        (1, Gen.Char['\udc00', '\udfff'].Select(c => c.ToString())),
        (1, Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32)),
        (1, Gen.Char["éжあ中\u0660\uFF10\u200B\uFEFF"].Select(c => c.ToString())));

    /// <summary>Random text of 0 to 10,000 characters, short ones more often.</summary>
    private static readonly Gen<string> Text = Gen.Frequency(
        (6, Gen.Int[0, 40]),
        (2, Gen.Int[200, 300]),
        (1, Gen.Int[4000, 4200]),
        (1, Gen.Int[0, 10_000]))
        .SelectMany(length => Piece.Array[length, length])
        .Select(string.Concat);

    private static readonly Gen<string> Number = Gen.OneOf(
        Gen.Long.Select(n => n.ToString(CultureInfo.InvariantCulture)),
        Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "1e999"),
        Gen.Int[1, 99999].Select(e => $"1e{e}"),
        Gen.Int[1, 400].Select(e => $"-1.5e-{e}"));

    private static readonly Gen<string> Date = Gen.DateTime[new DateTime(1, 1, 1), new DateTime(9999, 12, 31)]
        .Select(d => $"\"{d.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)}Z\"");

    /// <summary>A JSON value for a hostile field: random text, a number, a date, or an object nesting text.</summary>
    private static readonly Gen<string> Value = Gen.Frequency(
        (6, Text.Select(Escaped)),
        (2, Number),
        (2, Date),
        (1, Gen.Select(Text, Text, (name, text) => $"{{\"{Escaped(name)[1..^1]}\":[{Escaped(text)}]}}")));

    /// <summary>A hostile event: the base event with 1 to 4 fields replaced, as its bytes, sometimes with a byte spoiled.</summary>
    private static readonly Gen<byte[]> Hostile = Gen.Select(
        Gen.Select(Gen.OneOf(TextFields.Select(Gen.Const).ToArray()), Value).Array[1, 4],
        Gen.Int[0, 9],
        Gen.Byte,
        (fields, spoil, b) =>
        {
            var bytes = Utf8(Event("hostile", [.. fields.Select(f => (f.Item1, (string?)f.Item2))]));
            // A letter or digit replaced by a random byte that is not JSON syntax: mostly not UTF-8 then (0x80..0xFF
            // alone), and the element's bounds stay where they were, so the body still has as many elements.
            var at = Array.FindIndex(bytes, bytes.Length / 2, x => char.IsAsciiLetterOrDigit((char)x));
            if (spoil == 0 && at >= 0)
            {
                bytes[at] = b is (byte)'"' or (byte)'\\' or (byte)',' or (byte)'[' or (byte)']' or (byte)'{' or (byte)'}' ? (byte)0xFF : b;
            }

            return bytes;
        });

    /// <summary>A body: good and hostile events in random order; true marks the good ones.</summary>
    private static readonly Gen<(bool Good, byte[] Json)[]> Body = Gen.Frequency(
        (1, Gen.Int.Select(i => (true, Utf8(Event("good-" + i.ToString(CultureInfo.InvariantCulture)))))),
        (1, Hostile.Select(json => (false, json))))
        .Array[1, 8];

    private readonly ClickEventNormalizer normalizer = new();

    [Fact]
    public void Door_invariants_hold_for_random_bodies()
    {
        Body.Sample(
            body =>
            {
                var json = Bytes(["[", .. body.SelectMany((e, i) => i == 0 ? new object[] { e.Json } : [",", e.Json]), "]"]);
                var events = EventsBody.Read(json, ndjson: false);

                Assert.Equal(body.Length, events.Count);
                for (var i = 0; i < body.Length; i++)
                {
                    var result = events[i].Error is null ? normalizer.Normalize(events[i].Element) : null;
                    if (body[i].Good)
                    {
                        Assert.True(result?.IsAccepted, $"good event {i} not accepted: {events[i].Error} {string.Join("; ", result?.Errors ?? [])}");
                    }

                    if (result?.Event is { } accepted)
                    {
                        AssertStorable(accepted);
                    }
                    else
                    {
                        // Whatever was rejected can be kept: its payload is storable text.
                        var payload = events[i].Text ?? RejectedPayload.Redact(events[i].Element);
                        AssertText(payload, int.MaxValue);
                    }
                }
            },
            iter: Iterations,
            threads: 1);
    }

    [Fact]
    public void Normalizer_never_throws_on_random_json_text()
    {
        Gen.Select(Gen.OneOf(TextFields.Select(Gen.Const).ToArray()), Value).Array[1, 6].Sample(
            fields =>
            {
                var result = normalizer.Normalize(Event("e", [.. fields.Select(f => (f.Item1, (string?)f.Item2))]));
                if (result.Event is { } accepted)
                {
                    AssertStorable(accepted);
                }
            },
            iter: Iterations,
            threads: 1);
    }

    [Fact]
    public void Planted_secrets_never_reach_the_wire_form_or_a_rejection_payload()
    {
        Gen.Select(Gen.OneOf(SecretSpellings.Select(Gen.Const).ToArray()), Gen.Int[0, 2], Gen.Bool, Gen.Long).Sample(
            (name, depth, reject, marker) =>
            {
                var planted = "PLANTED" + marker.ToString(CultureInfo.InvariantCulture);
                var value = $"\"{planted}\"";
                for (var d = 0; d < depth; d++)
                {
                    value = $"{{\"level{d}\":{{\"{name}\":{value}}}}}";
                }

                var raw = Event("secret", ("outer", depth == 0 ? $"{{\"{name}\":{value}}}" : value), ("timestamp", reject ? null : "\"2024-05-01T10:15:30Z\""));
                var result = normalizer.Normalize(raw);
                using var document = JsonDocument.Parse(raw);
                var kept = result.Event is { } accepted
                    ? Encoding.UTF8.GetString(WireFormat.Serialize(StreamNamespaces.Events, accepted, 1, DateTimeOffset.UnixEpoch))
                    : RejectedPayload.Redact(document.RootElement);

                Assert.Equal(reject, !result.IsAccepted);
                Assert.DoesNotContain(planted, kept, StringComparison.Ordinal);
            },
            iter: Iterations,
            threads: 1);
    }

    [Fact]
    public void Random_bytes_never_make_the_body_reader_throw()
    {
        Gen.Byte.Array[0, 2000].Sample(
            bytes =>
            {
                foreach (var ndjson in (bool[])[false, true])
                {
                    foreach (var raw in EventsBody.Read(bytes, ndjson))
                    {
                        if (raw.Error is null)
                        {
                            _ = normalizer.Normalize(raw.Element);
                        }
                    }
                }
            },
            iter: Iterations,
            threads: 1);
    }

    private static void AssertStorable(ClickEvent accepted)
    {
        foreach (var key in (string?[])[accepted.EventId, accepted.SessionKey, accepted.UserId, accepted.ProductId, accepted.StoreId, accepted.Location])
        {
            AssertText(key, EventLimits.MaxKeyLength);
        }

        foreach (var text in (string?[])[accepted.UserAgent, accepted.ReferrerUrl, accepted.CurrentUrl, accepted.UtmSource, accepted.UtmMedium, accepted.Resolution])
        {
            AssertText(text, EventLimits.MaxTextLength);
        }

        Assert.InRange(accepted.OccurredAt, new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2099, 12, 31, 23, 59, 59, 999, TimeSpan.Zero).AddTicks(9999));
        foreach (var json in (string?[])[accepted.Extras, accepted.Options])
        {
            if (json is not null)
            {
                using var document = JsonDocument.Parse(json);
                AssertStrings(document.RootElement);
            }
        }
    }

    private static void AssertStrings(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    AssertText(property.Name, int.MaxValue);
                    AssertStrings(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    AssertStrings(item);
                }

                break;
            case JsonValueKind.String:
                AssertText(value.GetString(), int.MaxValue);
                break;
            case JsonValueKind.Number:
                Assert.True(value.TryGetDouble(out var number) && double.IsFinite(number), value.GetRawText());
                break;
        }
    }

    /// <summary>No NUL, no unpaired surrogate, not longer than the limit; checked here by hand, not by the code under test.</summary>
    private static void AssertText(string? text, int maxLength)
    {
        if (text is null)
        {
            return;
        }

        Assert.True(text.Length <= maxLength, $"{text.Length} characters");
        Assert.DoesNotContain('\0', text);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            Assert.False(char.IsSurrogate(text[i]), $"unpaired surrogate at {i}");
        }
    }

    /// <summary>A JSON string literal escaping everything outside printable ASCII, unpaired surrogates included, as a hostile client would.</summary>
    private static string Escaped(string text)
    {
        var json = new StringBuilder("\"");
        foreach (var c in text)
        {
            json.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' or > '~' => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => c.ToString(),
            });
        }

        return json.Append('"').ToString();
    }
}
