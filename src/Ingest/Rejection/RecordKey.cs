using System.Globalization;

namespace Shopstream.Ingest.Rejection;

/// <summary>Kafka message keys of records: <c>source:id</c>, which is also the grain key downstream.</summary>
public static class RecordKey
{
    public static string Of(string source, long id) => string.Create(CultureInfo.InvariantCulture, $"{source}:{id}");

    /// <summary>For a rejected record without a usable id: its position in the feed is all that identifies it.</summary>
    public static string OfUnidentified(string source, string entity, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{source}:{entity}:{index}");
}
