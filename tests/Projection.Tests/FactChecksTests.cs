using Npgsql;
using Shopstream.Tests.Support;

namespace Shopstream.Projection.Tests;

/// <summary>
/// The checks <c>fact_events</c> runs on every row (sql/0005, made cheaper by sql/0017) keep their meaning: an event key
/// is 64 lowercase hex characters, and <c>date_key_of</c> is the date written as yyyymmdd.
/// </summary>
public sealed class FactChecksTests
{
    [Fact]
    public async Task Date_key_of_is_the_date_written_as_yyyymmdd_for_every_day_from_1900_to_2100()
    {
        await using var db = await TestDatabase.CreateAsync();

        // to_char is PostgreSQL's own formatting, not ours; 73,413 days, leap years (1900 no, 2000 yes) included.
        Assert.Equal(0, await db.ScalarAsync("""
            SELECT count(*) FROM generate_series(date '1900-01-01', date '2100-12-31', interval '1 day') AS g(d)
            WHERE date_key_of(d::date) IS DISTINCT FROM to_char(d, 'YYYYMMDD')::integer
            """));
        Assert.Equal(20000229, await db.ScalarAsync("SELECT date_key_of(date '2000-02-29')"));
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", false)] // upper case
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", false)] // 63 characters
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0", false)] // 65 characters
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg", false)]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n", false)]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdé", false)]
    public async Task An_event_key_is_64_lowercase_hex_characters(string key, bool taken)
    {
        await using var db = await TestDatabase.CreateAsync();

        var insert = db.ExecuteAsync("""
            INSERT INTO fact_events (event_key, event_id, event_type, date_key, event_time, occurred_at, session_key)
            VALUES ($1, 'e1', 'page_view', 20240501, '08:15:30', '2024-05-01T08:15:30Z', 's1')
            """, key);

        if (taken)
        {
            await insert;
            Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM fact_events"));
        }
        else
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => insert);
            Assert.Equal("fact_events_event_key_check", refused.ConstraintName);
        }
    }
}
