namespace Shopstream.Grains.Projection;

/// <summary>
/// The one place that writes analytic rows. Rows from many grains are written together in batches;
/// each returned task completes once its row is durable. Writes are versioned: a row older than the
/// stored one, or equal to it in content, changes nothing.
/// </summary>
public interface IProjectionWriter
{
    Task WriteAsync(ProductRow row);

    Task WriteAsync(CartRow row);

    Task WriteAsync(UserRow row);

    /// <summary>
    /// Writes a recall notice and replaces its products. A lower <c>numero_version</c> than the stored one never
    /// overwrites it, whatever its ingest version.
    /// </summary>
    Task WriteAsync(RecallRow row);

    Task WriteAsync(IReadOnlyList<RejectedRow> rows);

    /// <summary>
    /// Writes a session's new facts with their dimension rows and recomputes the session's aggregate, in one
    /// transaction. A fact already in <c>fact_events</c> is left alone and not reported as inserted.
    /// </summary>
    Task<SessionEventsResult> WriteAsync(SessionEventsRow row);
}
