using System.Diagnostics.CodeAnalysis;
using Shopstream.Ingest.Json;

namespace Shopstream.Ingest.Normalization;

/// <summary>Either a normalized record or the reason the raw record was rejected.</summary>
/// <typeparam name="TRecord">ProductRecord, CartRecord or UserRecord.</typeparam>
public sealed class NormalizationResult<TRecord>
    where TRecord : class
{
    private NormalizationResult(TRecord? record, long? id, string? reason)
    {
        Record = record;
        Id = id;
        Reason = reason;
    }

    public TRecord? Record { get; }

    /// <summary>
    /// The record's id whenever it was usable, also for a record rejected for another field,
    /// so that the rejection can be keyed <c>source:id</c>.
    /// </summary>
    public long? Id { get; }

    public string? Reason { get; }

    [MemberNotNullWhen(true, nameof(Record), nameof(Id))]
    [MemberNotNullWhen(false, nameof(Reason))]
    public bool IsAccepted => Record is not null;

    /// <summary>
    /// Rejected with the first problem <paramref name="fields"/> found, else accepted as what <paramref name="build"/>
    /// makes of the id.
    /// </summary>
    internal static NormalizationResult<TRecord> Of(JsonFields fields, long? id, Func<long, TRecord> build) =>
        fields.Reason is null && id is { } usable
            ? new(build(usable), usable, null)
            : new(null, id, fields.Reason ?? "missing or invalid id");
}
