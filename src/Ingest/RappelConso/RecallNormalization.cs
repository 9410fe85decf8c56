using System.Diagnostics.CodeAnalysis;
using Shopstream.Grains.Interfaces.Records;

namespace Shopstream.Ingest.RappelConso;

/// <summary>Either a normalized recall notice or the reason it was rejected.</summary>
/// <param name="Record">The notice, when accepted.</param>
/// <param name="NumeroFiche">The notice number whenever it was usable, also for a rejected notice (its rejection is keyed by it).</param>
/// <param name="Reason">Why the notice was rejected.</param>
public sealed record RecallNormalization(RecallRecord? Record, string? NumeroFiche, string? Reason)
{
    [MemberNotNullWhen(true, nameof(Record), nameof(NumeroFiche))]
    [MemberNotNullWhen(false, nameof(Reason))]
    public bool IsAccepted => Record is not null;
}
