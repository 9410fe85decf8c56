namespace Shopstream.Projection;

/// <summary>
/// Whether the projection writer is failing, for the silo's readiness check; <c>PostgresProjectionWriter</c> is
/// registered as the implementation.
/// </summary>
public interface IProjectionHealth
{
    /// <summary>When the writer's current run of failed batch attempts began; null while its last attempt succeeded.</summary>
    DateTimeOffset? FailingSince { get; }
}
