using System.Diagnostics.CodeAnalysis;

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

    internal static NormalizationResult<TRecord> Accepted(TRecord record, long id) => new(record, id, null);

    internal static NormalizationResult<TRecord> Rejected(long? id, string reason) => new(null, id, reason);
}
