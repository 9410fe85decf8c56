using Npgsql;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Projection;
using Shopstream.Projection.Clickstream;

namespace Shopstream.Projection;

/// <summary>
/// The star-schema part of a projection batch: dimension rows, facts and session aggregates of every session row in
/// the batch, as a few array statements. Rows are sorted by key so that concurrent batches lock in the same order.
/// </summary>
internal static class ClickstreamCommands
{
    /// <summary>
    /// Adds the statements; returns each fact's <c>event_key</c> and what to remember once the transaction committed.
    /// Dimension rows <paramref name="known"/> already holds are left out. The facts and sessions statements return rows.
    /// </summary>
    public static (Dictionary<FactEventRow, string> Keys, Action Committed) Add(
        NpgsqlBatch batch, IReadOnlyList<SessionEventsRow> rows, KnownDimensions known)
    {
        var facts = rows.SelectMany(r => r.Facts).ToList();
        var keys = new Dictionary<FactEventRow, string>(facts.Count, ReferenceEqualityComparer.Instance);
        foreach (var f in facts)
        {
            keys[f] = EventFact.KeyOf(f.EventId, f.ProductKey);
        }

        var dates = Unknown(known, "date",
            facts.Select(f => DateOnly.FromDateTime(f.OccurredAt.UtcDateTime)).Distinct().Select(DateDimension.Of), d => DateKeyText(d.DateKey));
        AddUnlessEmpty(batch, ProjectionSql.DimDates, ProjectionColumns.DimDates, dates);

        var products = Unknown(known, "product", rows.SelectMany(r => r.Products)
            .GroupBy(p => p.ProductKey, StringComparer.Ordinal)
            .Select(g => g.FirstOrDefault(p => p.UrlName is not null) ?? g.First()), p => p.ProductKey);
        AddUnlessEmpty(batch, ProjectionSql.DimProducts, ProjectionColumns.DimProducts, products);

        var locations = Unknown(known, "location", LastByKey(rows.SelectMany(r => r.Locations), l => l.LocationKey), l => l.LocationKey);
        AddUnlessEmpty(batch, ProjectionSql.DimLocations, ProjectionColumns.DimLocations, locations);
        var agents = Unknown(known, "user-agent", LastByKey(rows.SelectMany(r => r.UserAgents), a => a.UserAgentKey), a => a.UserAgentKey);
        AddUnlessEmpty(batch, ProjectionSql.DimUserAgents, ProjectionColumns.DimUserAgents, agents);
        var referrers = Unknown(known, "referrer", LastByKey(rows.SelectMany(r => r.Referrers), r => r.ReferrerKey), r => r.ReferrerKey);
        AddUnlessEmpty(batch, ProjectionSql.DimReferrers, ProjectionColumns.DimReferrers, referrers);

        List<ProjectionColumns.KeyedFact> sortedFacts = [.. facts.Select(f => new ProjectionColumns.KeyedFact(keys[f], f)).OrderBy(f => f.EventKey, StringComparer.Ordinal)];
        batch.BatchCommands.Add(ProjectionColumns.Facts.Command(ProjectionSql.Facts, sortedFacts));

        var c = new NpgsqlBatchCommand(ProjectionSql.Sessions);
        c.AddArray(rows.Select(r => r.SessionKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        batch.BatchCommands.Add(c);
        return (keys, () =>
        {
            known.Remember("date", dates, d => DateKeyText(d.DateKey));
            known.Remember("product", products, p => p.ProductKey);
            known.Remember("location", locations, l => l.LocationKey);
            known.Remember("user-agent", agents, a => a.UserAgentKey);
            known.Remember("referrer", referrers, r => r.ReferrerKey);
        });
    }

    /// <summary>Locks the rows' sessions for the transaction (<see cref="ProjectionSql.LockSessions"/>): the batch's first statement.</summary>
    public static void LockSessions(NpgsqlBatch batch, IReadOnlyList<SessionEventsRow> rows)
    {
        var sessions = rows.Where(r => r.Facts.Count > 0)
            .GroupBy(r => r.SessionKey, StringComparer.Ordinal)
            .Select(g => (Key: g.Key, First: g.SelectMany(r => r.Facts).Min(f => f.OccurredAt).ToUniversalTime()))
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .ToList();
        var c = new NpgsqlBatchCommand(ProjectionSql.LockSessions);
        c.AddArray(sessions.Select(s => s.Key));
        c.AddArray(sessions.Select(s => s.First));
        batch.BatchCommands.Add(c);
    }

    /// <summary>Reads what the facts and sessions statements returned: the inserted keys and each session's aggregate.</summary>
    public static async Task<(HashSet<string> Inserted, Dictionary<string, SessionAggregateRow> Sessions)> ReadAsync(
        NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        var sessions = new Dictionary<string, SessionAggregateRow>(StringComparer.Ordinal);
        do
        {
            if (reader.FieldCount == 0)
            {
                continue;
            }
            var first = reader.GetName(0);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (first == "event_key")
                {
                    inserted.Add(reader.GetString(0));
                }
                else if (first == "session_key")
                {
                    var s = new SessionAggregateRow(
                        reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2),
                        reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6), reader.GetBoolean(7));
                    sessions[s.SessionKey] = s;
                }
            }
        }
        while (await reader.NextResultAsync(cancellationToken));
        return (inserted, sessions);
    }

    /// <summary>The result of one session row: its facts that this batch inserted (each key claimed once) and its aggregate.</summary>
    public static SessionEventsResult ResultOf(
        SessionEventsRow row, Dictionary<FactEventRow, string> keys, HashSet<string> inserted, Dictionary<string, SessionAggregateRow> sessions) =>
        new([.. row.Facts.Where(f => inserted.Remove(keys[f]))], sessions.GetValueOrDefault(row.SessionKey));

    /// <summary>The part of a session row one fact needs: the fact and the dimension rows it refers to.</summary>
    public static SessionEventsRow Only(SessionEventsRow row, FactEventRow fact) =>
        row with
        {
            Facts = [fact],
            Products = [.. row.Products.Where(p => p.ProductKey == fact.ProductKey)],
            Locations = [.. row.Locations.Where(l => l.LocationKey == fact.LocationKey)],
            UserAgents = [.. row.UserAgents.Where(a => a.UserAgentKey == fact.UserAgentKey)],
            Referrers = [.. row.Referrers.Where(r => r.ReferrerKey == fact.ReferrerKey)],
        };

    private static IEnumerable<T> LastByKey<T>(IEnumerable<T> rows, Func<T, string> key) =>
        rows.GroupBy(key, StringComparer.Ordinal).Select(g => g.Last());

    /// <summary>The rows <paramref name="known"/> does not hold, sorted by key so that concurrent batches lock in the same order.</summary>
    private static List<T> Unknown<T>(KnownDimensions known, string table, IEnumerable<T> rows, Func<T, string> key) where T : notnull =>
        [.. rows.Where(r => !known.Has(table, key(r), r)).OrderBy(key, StringComparer.Ordinal)];

    private static string DateKeyText(int dateKey) => dateKey.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void AddUnlessEmpty<T>(NpgsqlBatch batch, string sql, RowColumns<T> columns, List<T> rows)
    {
        if (rows.Count > 0)
        {
            batch.BatchCommands.Add(columns.Command(sql, rows));
        }
    }
}
