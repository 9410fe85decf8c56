using System.Globalization;
using Shopstream.Cli.Chaos;

namespace Shopstream.Pipeline.Tests.Chaos;

/// <summary>The chaos verdict itself, on databases whose damage is known: it must count what it is there to count.</summary>
public sealed class ChaosVerifierTests
{
    // Three entities, as a run would leave them: id 1 at version 5, id 2 at version 6, id 3 at version 7.
    private static readonly ChaosExpectedRow[] Expected =
    [
        new(1, 5, "v5", 5.5m),
        new(2, 6, "v6", 6.5m),
        new(3, 7, "v7", 7.5m),
    ];

    /// <summary>A fresh audited database that saw exactly these row writes (each an unconditional upsert), verified.</summary>
    private static async Task<ChaosCounts> VerifyAfterAsync(int expectedRejections, params (long Id, long Version, string Title, decimal Price)[] writes)
    {
        await using var db = await TestDatabase.CreateAsync();
        await ChaosAudit.InstallAsync(db.ConnectionString, CancellationToken.None);
        foreach (var (id, version, title, price) in writes)
        {
            await db.ScalarAsync(
                $"INSERT INTO products (source, id, title, price, version, content_hash) VALUES ('chaos', {id}, '{title}', " +
                $"{price.ToString(CultureInfo.InvariantCulture)}, {version}, 'h{version}') " +
                "ON CONFLICT (source, id) DO UPDATE SET title = excluded.title, price = excluded.price, version = excluded.version RETURNING 0");
        }
        return await ChaosVerifier.VerifyAsync(db.ConnectionString, Expected, expectedRejections, CancellationToken.None);
    }

    [Fact]
    public async Task Every_row_right_and_written_once_counts_nothing()
    {
        var counts = await VerifyAfterAsync(0, (1, 5, "v5", 5.5m), (2, 6, "v6", 6.5m), (3, 7, "v7", 7.5m));

        Assert.Equal(new ChaosCounts(Lost: 0, AppliedTwice: 0, Mismatched: 0, Rejected: 0, Audited: 3), counts);
    }

    [Fact]
    public async Task Missing_row_is_one_lost()
    {
        var counts = await VerifyAfterAsync(0, (1, 5, "v5", 5.5m), (3, 7, "v7", 7.5m));

        Assert.Equal(new ChaosCounts(Lost: 1, AppliedTwice: 0, Mismatched: 0, Rejected: 0, Audited: 2), counts);
    }

    [Fact]
    public async Task Row_left_at_an_older_version_is_one_lost()
    {
        var counts = await VerifyAfterAsync(0, (1, 5, "v5", 5.5m), (2, 4, "v4", 4.5m), (3, 7, "v7", 7.5m));

        Assert.Equal(new ChaosCounts(Lost: 1, AppliedTwice: 0, Mismatched: 0, Rejected: 0, Audited: 3), counts);
    }

    [Fact]
    public async Task Version_written_twice_is_one_applied_twice_though_the_table_is_right()
    {
        var counts = await VerifyAfterAsync(0, (1, 5, "v5", 5.5m), (2, 6, "v6", 6.5m), (2, 6, "v6", 6.5m), (3, 7, "v7", 7.5m));

        Assert.Equal(new ChaosCounts(Lost: 0, AppliedTwice: 1, Mismatched: 0, Rejected: 0, Audited: 4), counts);
    }

    [Fact]
    public async Task Row_with_other_content_or_that_nobody_produced_is_mismatched()
    {
        var counts = await VerifyAfterAsync(0, (1, 5, "v5", 5.5m), (2, 6, "v6", 9.5m), (3, 7, "v7", 7.5m), (4, 1, "v1", 1.5m));

        Assert.Equal(new ChaosCounts(Lost: 0, AppliedTwice: 0, Mismatched: 2, Rejected: 0, Audited: 4), counts);
    }

    [Fact]
    public async Task Missing_rejection_is_one_lost()
    {
        var counts = await VerifyAfterAsync(1, (1, 5, "v5", 5.5m), (2, 6, "v6", 6.5m), (3, 7, "v7", 7.5m));

        Assert.Equal(new ChaosCounts(Lost: 1, AppliedTwice: 0, Mismatched: 0, Rejected: 0, Audited: 3), counts);
    }
}
