namespace Shopstream.Silo.Chaos;

/// <summary>What one fault scenario did and what it found in the tables.</summary>
/// <param name="Scenario">Scenario name.</param>
/// <param name="Records">Records produced (including poison and duplicates).</param>
/// <param name="Faults">Faults injected, in words.</param>
/// <param name="Lost">Expected entities missing or left at an older version, plus expected rejections missing.</param>
/// <param name="AppliedTwice">Record versions whose row write happened more than once (audited by a trigger).</param>
/// <param name="Mismatched">Rows present with content other than expected.</param>
/// <param name="Rejected">Rows in rejected_records.</param>
/// <param name="RecoverySeconds">From the end of the last fault until every record was committed.</param>
/// <param name="AuditedWrites">Row writes the audit trigger saw: at least one per entity, or the audit saw nothing.</param>
/// <param name="Entities">Distinct entities the records were spread over.</param>
public sealed record ChaosOutcome(
    string Scenario, int Records, string Faults, long Lost, long AppliedTwice, long Mismatched, long Rejected, double RecoverySeconds,
    long AuditedWrites, int Entities)
{
    public bool Passed => Lost == 0 && AppliedTwice == 0 && Mismatched == 0;
}
