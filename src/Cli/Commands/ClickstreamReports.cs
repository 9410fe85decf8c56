using System.Globalization;
using Npgsql;
using Spectre.Console;

namespace Shopstream.Cli;

/// <summary>The six clickstream reports: CLI names, the <c>rpt_*</c> functions behind them (sql/0005_star_schema.sql).</summary>
internal static class ClickstreamReports
{
    public static readonly IReadOnlyList<(string Name, string Function, string Title)> All =
    [
        ("top-products", "rpt_top_products", "top 10 products by views"),
        ("top-countries", "rpt_top_countries", "top 10 countries by product views"),
        ("top-referrers", "rpt_top_referrers", "top 5 referring domains by product views"),
        ("store-country", "rpt_store_country", "product views per store and country"),
        ("hourly-product-views", "rpt_hourly_product_views", "product views per UTC hour and product"),
        ("hourly-browser-os", "rpt_hourly_browser_os", "product views per UTC hour, browser and OS"),
    ];

    public static IEnumerable<string> Names => All.Select(r => r.Name);

    public static bool Exists(string name) => All.Any(r => r.Name == name);

    /// <summary>The report as a console table.</summary>
    public static Task<Table> TableAsync(NpgsqlDataSource db, string name, DateOnly date)
    {
        var report = All.Single(r => r.Name == name);
        var day = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return ConsoleTables.QueryAsync(db, $"{report.Name} {day}: {report.Title}", $"SELECT * FROM {report.Function}('{day}'::date)");
    }

    /// <summary>The UTC dates that have product views, oldest first.</summary>
    public static async Task<IReadOnlyList<DateOnly>> DatesWithViewsAsync(NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand("""
            SELECT DISTINCT make_date(date_key / 10000, date_key / 100 % 100, date_key % 100) AS d
            FROM fact_events WHERE event_type = 'product_view' ORDER BY d
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var dates = new List<DateOnly>();
        while (await reader.ReadAsync(cancellationToken))
        {
            dates.Add(reader.GetFieldValue<DateOnly>(0));
        }
        return dates;
    }
}
