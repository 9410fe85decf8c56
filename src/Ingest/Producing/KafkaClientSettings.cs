using Confluent.Kafka;

namespace Shopstream.Ingest.Producing;

/// <summary>
/// Checks librdkafka client settings (<c>Shopstream:KafkaClient:*</c>, a feed's <c>Client:*</c>) before a command
/// uses them, so that an unknown key or a bad value stops it at once with the setting's name instead of surfacing
/// later as a client that never connects.
/// </summary>
public static class KafkaClientSettings
{
    /// <summary>
    /// Hands every setting to librdkafka the way a client would get it (a client is built, never connected: it has no
    /// bootstrap servers). librdkafka must be loaded by the caller.
    /// </summary>
    /// <param name="settings">librdkafka properties, e.g. <c>security.protocol</c>.</param>
    /// <param name="section">The configuration section they came from, e.g. <c>Shopstream:KafkaClient</c>; errors name <c>section:key</c>.</param>
    /// <exception cref="IngestException">librdkafka refused a setting; the message names it.</exception>
    public static void Check(IReadOnlyDictionary<string, string> settings, string section)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(section);
        if (settings.Count == 0)
        {
            return;
        }
        var config = new ProducerConfig(settings.Where(s => s.Key != "bootstrap.servers").ToDictionary(StringComparer.Ordinal));
        try
        {
            using var probe = new ProducerBuilder<Null, Null>(config)
                .SetLogHandler((_, _) => { })
                .SetErrorHandler((_, _) => { })
                .Build();
        }
        catch (Exception ex) when (ex is ArgumentException or KafkaException or InvalidOperationException)
        {
            var culprit = Culprit(settings, ex.Message);
            throw new IngestException(
                culprit is null
                    ? $"settings {section}:* ({string.Join(", ", settings.Keys.Order(StringComparer.Ordinal))}): {ex.Message}"
                    : $"setting {section}:{culprit}: {ex.Message}",
                ex);
        }
    }

    // librdkafka names the property in its message ("Invalid value ... for configuration property \"x\""); the longest
    // key found in it is the culprit (sasl.mechanism must not be taken for a shorter key it contains).
    private static string? Culprit(IReadOnlyDictionary<string, string> settings, string message) =>
        settings.Keys.Where(k => message.Contains(k, StringComparison.OrdinalIgnoreCase)).MaxBy(k => k.Length);
}
