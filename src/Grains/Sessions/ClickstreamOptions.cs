namespace Shopstream.Grains.Sessions;

/// <summary>Settings of the session grains (bound from <c>Shopstream</c> by the silo).</summary>
public sealed class ClickstreamOptions
{
    /// <summary>
    /// Event ids one session grain remembers (oldest forgotten first). Within it duplicates are dropped without a
    /// round trip; beyond it <c>fact_events</c>' primary key drops them, so the result is exact either way.
    /// </summary>
    public int SessionEventIdCap { get; set; } = 4096;

    /// <summary>The catalogue source plain event product ids belong to; empty when only <c>source:id</c> ids name one.</summary>
    public string EventsCatalogue { get; set; } = "";
}
