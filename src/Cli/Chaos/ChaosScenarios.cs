namespace Shopstream.Cli.Chaos;

/// <summary>The fault scenarios of <c>shopstream chaos</c>.</summary>
public static class ChaosScenarios
{
    public const string SiloKill = "silo-kill";
    public const string BrokerDown = "broker-down";
    public const string RequestErrors = "request-errors";
    public const string PostgresRestart = "postgres-restart";
    public const string PostgresTerminate = "postgres-terminate";
    public const string Poison = "poison";
    public const string Duplicates = "duplicates";
    public const string Replay = "replay";

    /// <summary>The lake writer stopped between an upload and its commit (<see cref="LakeChaos"/>).</summary>
    public const string Lake = "lake";

    public static readonly IReadOnlyList<string> All =
        [SiloKill, BrokerDown, RequestErrors, PostgresRestart, PostgresTerminate, Poison, Duplicates, Replay, Lake];
}
