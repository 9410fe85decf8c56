using Npgsql;
using Shopstream.Grains.Projection;

namespace Shopstream.Projection.Clickstream;

/// <summary>
/// Adds the product views among the facts a batch inserted, and only those, to <c>fact_product_views</c> (sql/0013):
/// a replayed or duplicate view never counts twice; a visitor (user id, else session key) is new to a row when its
/// <c>fact_product_view_visitors</c> entry is.
/// </summary>
/// <remarks>
/// Its own statement, the last of the transaction, sent once the facts statement said which facts are new: every batch
/// increments the same rows (a day's products), and an increment holds its row's lock until the commit. Inside the facts
/// statement the lock was held through the sessions statement too, and two writers' batches queued behind each other.
/// </remarks>
internal static class ProductViewsStatement
{
    /// <summary>A product view <c>fact_events</c> just took: its row's dimensions by key, and who viewed when.</summary>
    public readonly record struct View(FactEventRow Fact)
    {
        public string Visitor => Fact.UserId ?? Fact.SessionKey;
    }

    private static readonly RowColumns<View> Columns = new()
    {
        { "occurred_at", "timestamptz", v => v.Fact.OccurredAt.ToUniversalTime() },
        { "product_key", "text", v => v.Fact.ProductKey },
        { "location_key", "text", v => v.Fact.LocationKey },
        { "user_agent_key", "text", v => v.Fact.UserAgentKey },
        { "referrer_key", "text", v => v.Fact.ReferrerKey },
        { "visitor", "text", v => v.Visitor },
    };

    private static readonly string Sql = $"""
        WITH views AS (
            SELECT date_key_of((u.occurred_at AT TIME ZONE 'UTC')::date) AS date_key, coalesce(u.product_key, '') AS product_key,
                   coalesce(l.country_name, 'Unknown') AS country_name, coalesce(u.referrer_key, '') AS referrer_key,
                   coalesce(a.device_type, 'unknown') AS device_type, u.visitor, u.occurred_at
            FROM {Columns.Unnest("u")}
            LEFT JOIN dim_location l ON l.location_key = u.location_key
            LEFT JOIN dim_user_agent a ON a.user_agent_key = u.user_agent_key
        ), new_visitors AS (
            INSERT INTO fact_product_view_visitors (date_key, product_key, country_name, referrer_key, device_type, visitor)
            SELECT DISTINCT date_key, product_key, country_name, referrer_key, device_type, visitor FROM views
            ORDER BY 1, 2, 3, 4, 5, 6
            ON CONFLICT DO NOTHING
            RETURNING date_key, product_key, country_name, referrer_key, device_type
        )
        INSERT INTO fact_product_views AS t (date_key, product_key, country_name, referrer_key, device_type,
            view_count, unique_visitors, first_view_time, last_view_time)
        SELECT v.date_key, v.product_key, v.country_name, v.referrer_key, v.device_type, count(*),
               coalesce(max(n.visitors), 0), min(v.occurred_at), max(v.occurred_at)
        FROM views v
        LEFT JOIN (SELECT date_key, product_key, country_name, referrer_key, device_type, count(*) AS visitors
                   FROM new_visitors GROUP BY 1, 2, 3, 4, 5) n
          USING (date_key, product_key, country_name, referrer_key, device_type)
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (date_key, product_key, country_name, referrer_key, device_type) DO UPDATE SET
            view_count = t.view_count + excluded.view_count,
            unique_visitors = t.unique_visitors + excluded.unique_visitors,
            first_view_time = least(t.first_view_time, excluded.first_view_time),
            last_view_time = greatest(t.last_view_time, excluded.last_view_time)
        """;

    /// <summary>Counts the product views among <paramref name="inserted"/> (facts this transaction inserted), if any.</summary>
    public static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IEnumerable<FactEventRow> inserted, CancellationToken cancellationToken)
    {
        List<View> views = [.. inserted.Where(f => f.EventType == "product_view").Select(f => new View(f))];
        if (views.Count == 0)
        {
            return;
        }
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(Columns.Command(Sql, views));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}
