namespace Shopstream.Grains;

/// <summary>
/// Whether grains deactivated now save their state on the way out. The memory governor turns saves off while it sheds
/// idle grains under memory pressure.
/// </summary>
/// <remarks>
/// Grain state only speeds up dropping duplicates: a grain's rows are durable before its call completes, and a replay
/// after a reactivation from an older state is a no-op in the versioned upserts. One state write per shed grain is
/// what kept shedding from keeping up with thousands of new entities a second (README, Measuring it).
/// </remarks>
public sealed class ShedMode
{
    private volatile bool skipStateSaves;

    /// <summary>True while deactivating grains should not write their state.</summary>
    public bool SkipStateSaves
    {
        get => skipStateSaves;
        set => skipStateSaves = value;
    }
}
