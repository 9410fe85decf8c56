using System.Globalization;
using Shopstream.Lake.Manifest;

namespace Shopstream.Lake.Reading;

/// <summary>What <c>--as-of</c> names: a snapshot id, or a time (the newest snapshot committed at or before it).</summary>
internal static class LakeSnapshotRef
{
    /// <summary>Parses <c>--as-of</c>; false with a message naming what was expected.</summary>
    public static bool TryParse(string text, out long? snapshot, out DateTimeOffset? time, out string? error)
    {
        snapshot = null;
        time = null;
        error = null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
        {
            snapshot = id;
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            time = at;
            return true;
        }
        error = $"--as-of must be a snapshot id (a positive integer) or a time such as 2024-05-01T12:00:00Z (was '{text}')";
        return false;
    }

    /// <summary>The snapshot <paramref name="asOf"/> names (null: the current one); 0 when the lake had none yet.</summary>
    public static async Task<long> ResolveAsync(LakeManifest manifest, string? asOf, CancellationToken cancellationToken)
    {
        if (asOf is null)
        {
            return await manifest.SnapshotAtAsync(null, cancellationToken);
        }
        if (!TryParse(asOf, out var snapshot, out var time, out var error))
        {
            throw new ArgumentException(error);
        }
        return snapshot ?? await manifest.SnapshotAtAsync(time, cancellationToken);
    }
}
