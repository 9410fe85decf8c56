namespace Shopstream.Cli.Chaos;

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
/// <param name="BandEntities">Entities with one version only, produced around the faults (half before, half after).</param>
/// <param name="LagAtFault">
/// The smallest number of uncommitted records seen as a fault landed (all of them band records: everything before the
/// band was committed first); -1 without faults. 0 means a fault hit no work in flight.
/// </param>
/// <param name="TerminatedConnections">Backends <c>pg_terminate_backend</c> ended (postgres-terminate), else 0.</param>
/// <param name="WriterRetries">Projection batches the writer had to retry (in-process scenarios), else 0.</param>
public sealed record ChaosOutcome(
    string Scenario, int Records, string Faults, long Lost, long AppliedTwice, long Mismatched, long Rejected, double RecoverySeconds,
    long AuditedWrites, int Entities, int BandEntities = 0, long LagAtFault = -1, long TerminatedConnections = 0, long WriterRetries = 0)
{
    /// <summary>Whether every fault met work in flight, and the PostgreSQL faults made the writer retry.</summary>
    public bool FaultHit => Scenario switch
    {
        ChaosScenarios.PostgresTerminate => LagAtFault > 0 && TerminatedConnections > 0 && WriterRetries > 0,
        // A restart between two batches makes no write fail (the pool drops the dead connections quietly), so the
        // retries it causes are reported, not required.
        _ => LagAtFault != 0,
    };

    public bool Passed => Lost == 0 && AppliedTwice == 0 && Mismatched == 0 && FaultHit;
}
