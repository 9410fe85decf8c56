using System.Globalization;
using Npgsql;

namespace Shopstream.Cli.Chaos;

/// <summary>Compares a chaos database with the rows its input implies, and reads the audit of every row write.</summary>
public static class ChaosVerifier
{
    /// <summary>
    /// Lost: an expected row missing or at an older version, or an expected rejection missing. Mismatched: a row with
    /// other content than expected, or a row nobody produced. Applied twice: record versions the audit saw written
    /// more than once.
    /// </summary>
    public static async Task<ChaosCounts> VerifyAsync(string db, IReadOnlyCollection<ChaosExpectedRow> expected, int expectedRejections, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(expected);
        await using var data = NpgsqlDataSource.Create(db);
        var actual = new Dictionary<long, ChaosExpectedRow>();
        await using (var q = data.CreateCommand($"SELECT id, version, title, price FROM products WHERE source = '{ChaosInput.Source}'"))
        await using (var r = await q.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                actual[r.GetInt64(0)] = new ChaosExpectedRow(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? "" : r.GetString(2), r.IsDBNull(3) ? -1 : r.GetDecimal(3));
            }
        }
        long lost = 0, mismatched = 0;
        foreach (var want in expected)
        {
            if (!actual.TryGetValue(want.Id, out var row) || row.Version < want.Version)
            {
                lost++;
            }
            else if (row != want)
            {
                mismatched++;
            }
        }
        var expectedIds = expected.Select(e => e.Id).ToHashSet();
        mismatched += actual.Keys.Count(k => !expectedIds.Contains(k));
        mismatched += await Scalar(data, $"SELECT count(*) FROM products WHERE source <> '{ChaosInput.Source}'", ct);
        var rejected = await Scalar(data, "SELECT count(*) FROM rejected_records", ct);
        lost += Math.Max(0, expectedRejections - rejected);
        var twice = await Scalar(data, "SELECT count(*) FROM (SELECT 1 FROM chaos_audit GROUP BY tbl, source, id, version HAVING count(*) > 1) d", ct);
        var audited = await Scalar(data, "SELECT count(*) FROM chaos_audit", ct);
        return new ChaosCounts(lost, twice, mismatched, rejected, audited);
    }

    private static async Task<long> Scalar(NpgsqlDataSource data, string sql, CancellationToken ct)
    {
        await using var q = data.CreateCommand(sql);
        return Convert.ToInt64(await q.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}

/// <summary>What <see cref="ChaosVerifier"/> found.</summary>
/// <param name="Lost">Expected rows missing or at an older version, plus expected rejections missing.</param>
/// <param name="AppliedTwice">Record versions written more than once.</param>
/// <param name="Mismatched">Rows with other content than expected, or not expected at all.</param>
/// <param name="Rejected">Rows in <c>rejected_records</c>.</param>
/// <param name="Audited">Row writes the audit saw.</param>
public sealed record ChaosCounts(long Lost, long AppliedTwice, long Mismatched, long Rejected, long Audited);
