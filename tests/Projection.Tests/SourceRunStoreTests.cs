using Shopstream.Projection.Sources;
using Shopstream.Tests.Support;

namespace Shopstream.Projection.Tests;

/// <summary><c>source_runs</c> and <c>source_watermarks</c> on real PostgreSQL.</summary>
public sealed class SourceRunStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset July21 = new(2021, 7, 21, 9, 7, 11, TimeSpan.Zero);
    private static readonly DateTimeOffset July29 = new(2021, 7, 29, 17, 54, 12, TimeSpan.Zero);

    private TestDatabase db = null!;
    private SourceRunStore store = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync();
        store = new SourceRunStore(db.DataSource);
    }

    public Task DisposeAsync() => db.DisposeAsync().AsTask();

    [Fact]
    public async Task Progress_records_the_counts_and_moves_the_watermark_forward_only()
    {
        var run = (await store.TryStartAsync("rappelconso", "cli", null, SourceRunStore.DefaultAbandonedAfter))!.Value;

        await store.ProgressAsync(run, "rappelconso", new SourceRunCounts(1, 100, 99, 1, July29));
        await store.ProgressAsync(run, "rappelconso", new SourceRunCounts(2, 150, 149, 1, July21));

        Assert.Equal(July29, await store.WatermarkAsync("rappelconso"));
        var row = Assert.Single(await store.RunsAsync("rappelconso", 10));
        Assert.Equal(("running", 2, 150L, 149L, 1L), (row.Status, row.Counts.Pages, row.Counts.Read, row.Counts.Produced, row.Counts.Rejected));
    }

    [Fact]
    public async Task Failed_run_keeps_the_watermark_it_reached_and_its_error()
    {
        var run = (await store.TryStartAsync("rappelconso", "schedule", July21, SourceRunStore.DefaultAbandonedAfter))!.Value;
        await store.ProgressAsync(run, "rappelconso", new SourceRunCounts(1, 100, 100, 0, July29));

        await store.FinishAsync(run, "GET http://x/records failed after 4 attempts: HTTP 503");

        var row = Assert.Single(await store.RunsAsync("rappelconso", 10));
        Assert.Equal(("failed", "schedule", July21, July29), (row.Status, row.Trigger, row.WatermarkBefore, row.Counts.Watermark));
        Assert.Equal("GET http://x/records failed after 4 attempts: HTTP 503", row.Error);
        Assert.NotNull(row.FinishedAt);
        Assert.Equal(July29, await store.WatermarkAsync("rappelconso"));
    }

    [Fact]
    public async Task Since_sets_the_watermark_back_and_runs_are_listed_newest_first()
    {
        var first = (await store.TryStartAsync("rappelconso", "cli", null, SourceRunStore.DefaultAbandonedAfter))!.Value;
        await store.ProgressAsync(first, "rappelconso", new SourceRunCounts(1, 1, 1, 0, July29));
        await store.FinishAsync(first, null);
        await store.SetWatermarkAsync("rappelconso", July21);
        var second = (await store.TryStartAsync("rappelconso", "manual", July21, SourceRunStore.DefaultAbandonedAfter))!.Value;

        Assert.Equal(July21, await store.WatermarkAsync("rappelconso"));
        Assert.Equal([second, first], (await store.RunsAsync("rappelconso", 10)).Select(r => r.RunId));
        Assert.Null(await store.WatermarkAsync("fakestore"));
    }

    [Fact]
    public async Task Second_run_of_a_source_is_refused_while_the_first_is_alive()
    {
        var first = await store.TryStartAsync("rappelconso", "schedule", null, SourceRunStore.DefaultAbandonedAfter);

        var second = await store.TryStartAsync("rappelconso", "manual", null, SourceRunStore.DefaultAbandonedAfter);
        var other = await store.TryStartAsync("fakestore", "manual", null, SourceRunStore.DefaultAbandonedAfter);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.NotNull(other);
    }

    [Fact]
    public async Task Run_without_heartbeat_is_closed_as_abandoned_and_the_next_takes_over()
    {
        var dead = (await store.TryStartAsync("rappelconso", "schedule", null, SourceRunStore.DefaultAbandonedAfter))!.Value;
        await store.ProgressAsync(dead, "rappelconso", new SourceRunCounts(1, 100, 100, 0, July21));
        await Task.Delay(TimeSpan.FromMilliseconds(300));

        var next = await store.TryStartAsync("rappelconso", "schedule", await store.WatermarkAsync("rappelconso"), TimeSpan.FromMilliseconds(200));

        Assert.NotNull(next);
        var runs = await store.RunsAsync("rappelconso", 10);
        Assert.Equal([("running", July21), ("failed", (DateTimeOffset?)null)], runs.Select(r => (r.Status, r.RunId == dead ? null : r.WatermarkBefore)));
        Assert.StartsWith("abandoned: no heartbeat since ", runs[1].Error, StringComparison.Ordinal);
    }
}
