namespace Shopstream.Silo.Hosting;

/// <summary>
/// Whether the projection writer is failing, for the silo's readiness check. The writer registers it as a singleton
/// (<c>services.AddSingleton&lt;IProjectionHealth&gt;(sp =&gt; sp.GetRequiredService&lt;PostgresProjectionWriter&gt;())</c>);
/// without a registration readiness does not look at the projection.
/// </summary>
public interface IProjectionHealth
{
    /// <summary>When the writer's current run of failed batch attempts began; null while its last attempt succeeded.</summary>
    DateTimeOffset? FailingSince { get; }
}
