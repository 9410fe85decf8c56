namespace Shopstream.Silo.Web;

/// <summary>The projection's part of the silo's readiness: a writer that keeps failing means rows are not becoming durable.</summary>
public static class ProjectionReadiness
{
    /// <summary>Null when ready; else why not. A failure younger than <paramref name="threshold"/> is a retry in progress, not yet a problem.</summary>
    public static string? Check(DateTimeOffset? failingSince, DateTimeOffset now, TimeSpan threshold) =>
        failingSince is { } since && now - since > threshold
            ? $"failing since {since:O} ({(now - since).TotalSeconds:0} s, more than {threshold.TotalSeconds:0} s)"
            : null;
}
