using System.Net;
using System.Text.Json.Nodes;
using Shopstream.Grains.Interfaces.Grains;
using static Shopstream.Pipeline.Tests.Clickstream.ClickstreamEvents;

namespace Shopstream.Pipeline.Tests.Clickstream;

/// <summary>Duplicate events through the API, Kafka and session grains: each fact once, the aggregates exact.</summary>
public sealed class SessionDuplicateTests(ClickstreamFixture fixture) : IClassFixture<ClickstreamFixture>
{
    private static readonly DateTimeOffset At = new(2023, 2, 14, 9, 0, 0, TimeSpan.Zero);

    private TestDatabase Db => fixture.Pipeline.Database;

    private static string NewKey(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    private async Task PostAsync(params JsonNode[] events)
    {
        using var client = fixture.Client();
        var (status, _) = await client.PostAsync(Array(events));
        Assert.Equal(HttpStatusCode.Accepted, status);
    }

    [Fact]
    public async Task Same_event_id_twice_is_one_fact_in_one_body_or_in_two()
    {
        var session = NewKey("same-id");
        var product = NewKey("p");
        var view = Generic(session + "-1", "product_view", session, Users[3], product, At);
        var other = Generic(session + "-2", "product_view", session, Users[3], product, At.AddMinutes(1));

        await PostAsync(view, view.DeepClone(), other);
        await PostAsync(view.DeepClone());
        await fixture.Pipeline.WaitCaughtUpAsync();

        Assert.Equal(2, await Db.ScalarAsync($"SELECT count(*) FROM fact_events WHERE session_key = '{session}'"));
        Assert.Equal(["2|1"], await Db.RowsAsync($"SELECT events, products_viewed FROM sessions WHERE session_key = '{session}'"));
        var snapshot = await fixture.Pipeline.Cluster.GrainFactory.GetGrain<ISessionGrain>(session).GetAsync();
        Assert.NotNull(snapshot);
        Assert.Equal((2, 2L, 2L), (snapshot.Events, snapshot.Applied, snapshot.Ignored));
        var views = await fixture.Pipeline.Cluster.GrainFactory.GetGrain<IProductViewsGrain>("events:" + product).GetViewsAsync();
        Assert.Equal(2, views.Views);
    }

    [Fact]
    public async Task Same_feed_event_twice_is_one_fact()
    {
        var device = NewKey("feed-device");
        var view = FeedView(device, Users[4], NewKey("p"), At, referrer: "https://www.google.com/", store: "12");

        await PostAsync(view);
        await PostAsync(view.DeepClone(), view.DeepClone());
        await fixture.Pipeline.WaitCaughtUpAsync();

        Assert.Equal(1, await Db.ScalarAsync($"SELECT count(*) FROM fact_events WHERE session_key = '{device}'"));
        Assert.Equal(["1|1|False"], await Db.RowsAsync($"SELECT events, products_viewed, converted FROM sessions WHERE session_key = '{device}'"));
    }

    [Fact]
    public async Task Duplicate_older_than_the_remembered_ids_is_still_dropped_exactly()
    {
        var session = NewKey("beyond-cap");
        var product = NewKey("p");
        var events = Enumerable.Range(0, ClickstreamFixture.SessionEventIdCap + 2)
            .Select(i => Generic($"{session}-{i}", "product_view", session, Users[5], product, At.AddMinutes(i)))
            .ToList();
        foreach (var e in events)
        {
            await PostAsync(e);
        }
        await fixture.Pipeline.WaitCaughtUpAsync();

        // The grain remembers the last 4 ids only: the first two are gone from its memory, not from fact_events.
        await PostAsync(events[0].DeepClone(), events[1].DeepClone());
        await fixture.Pipeline.WaitCaughtUpAsync();

        Assert.Equal(6, await Db.ScalarAsync($"SELECT count(*) FROM fact_events WHERE session_key = '{session}'"));
        Assert.Equal(["6|1"], await Db.RowsAsync($"SELECT events, products_viewed FROM sessions WHERE session_key = '{session}'"));
        var snapshot = await fixture.Pipeline.Cluster.GrainFactory.GetGrain<ISessionGrain>(session).GetAsync();
        Assert.Equal((6, 6L, 2L), (snapshot!.Events, snapshot.Applied, snapshot.Ignored));
        var views = await fixture.Pipeline.Cluster.GrainFactory.GetGrain<IProductViewsGrain>("events:" + product).GetViewsAsync();
        Assert.Equal(6, views.Views);
    }

    [Fact]
    public async Task Purchase_converts_the_session_and_counts_distinct_products()
    {
        var session = NewKey("buyer");
        var (a, b) = (NewKey("p"), NewKey("p"));
        await PostAsync(
            Generic(session + "-1", "product_view", session, Users[6], a, At),
            Generic(session + "-2", "product_view", session, Users[6], b, At.AddMinutes(1)),
            Generic(session + "-3", "product_view", session, Users[6], a, At.AddMinutes(2)),
            Generic(session + "-4", "add_to_cart", session, Users[6], a, At.AddMinutes(3)),
            Generic(session + "-5", "purchase", session, Users[6], a, At.AddMinutes(9)));
        await fixture.Pipeline.WaitCaughtUpAsync();

        Assert.Equal(
            ["2023-02-14 09:00:00+00|2023-02-14 09:09:00+00|5|2|1|1|True"],
            await Db.RowsAsync($"""
                SELECT to_char(first_event_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS+00'), to_char(last_event_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS+00'),
                       events, products_viewed, products_carted, products_purchased, converted
                FROM sessions WHERE session_key = '{session}'
                """));
        var snapshot = await fixture.Pipeline.Cluster.GrainFactory.GetGrain<ISessionGrain>(session).GetAsync();
        Assert.True(snapshot!.Converted);
        Assert.Equal(5, snapshot.Events);
    }
}
