using System.Collections.Immutable;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Shopstream.Grains.Delivery;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Tests.Support;

namespace Shopstream.Grains.Tests;

/// <summary>Dedupe, replay, ordering, cart lines and bad input, through Kafka, grains and PostgreSQL.</summary>
public sealed class GrainBehaviourTests(GrainBehaviourFixture fixture) : IClassFixture<GrainBehaviourFixture>
{
    private PipelineCluster Pipeline => fixture.Pipeline;

    private static ProductRecord Product(long id, string title, decimal price) =>
        new() { Source = "test", Id = id, Title = title, Price = price, Category = "c" };

    private Task SendProduct(ProductRecord p, long version) =>
        fixture.Producer.SendAsync(Pipeline.Options.ProductsTopic, StreamNamespaces.Products, $"{p.Source}:{p.Id}", p, version);

    private Task SendCart(CartRecord c, long version) =>
        fixture.Producer.SendAsync(Pipeline.Options.CartsTopic, StreamNamespaces.Carts, $"{c.Source}:{c.Id}", c, version);

    [Fact]
    public async Task Replayed_record_changes_nothing()
    {
        var id = GrainBehaviourFixture.NewId();
        await SendProduct(Product(id, "Lamp", 20m), 100);
        await Pipeline.WaitCaughtUpAsync();
        var before = await Pipeline.Database.RowsAsync($"SELECT title, version, updated_at FROM products WHERE source = 'test' AND id = {id}");

        await SendProduct(Product(id, "Lamp", 20m), 100); // the same message again (a replay)
        await SendProduct(Product(id, "Lamp", 20m), 200); // the same content re-ingested later
        await Pipeline.WaitCaughtUpAsync();

        var after = await Pipeline.Database.RowsAsync($"SELECT title, version, updated_at FROM products WHERE source = 'test' AND id = {id}");
        Assert.Single(before);
        Assert.Equal(before, after);
        var snapshot = await Pipeline.Cluster.GrainFactory.GetGrain<IProductGrain>($"test:{id}").GetAsync();
        Assert.NotNull(snapshot);
        Assert.Equal(1, snapshot.Applied);
        Assert.Equal(2, snapshot.Ignored);
    }

    [Fact]
    public async Task Older_record_never_overwrites_newer_one()
    {
        var id = GrainBehaviourFixture.NewId();
        await SendProduct(Product(id, "Newer", 120m), 300);
        await SendProduct(Product(id, "Older", 10m), 200);
        await Pipeline.WaitCaughtUpAsync();

        var rows = await Pipeline.Database.RowsAsync($"SELECT title, price_category, version FROM products WHERE source = 'test' AND id = {id}");
        Assert.Equal(["Newer|premium|300"], rows);
        // The row alone cannot tell whether 200 arrived second: delivered first, it would be applied and then
        // overwritten by 300 with the same end state. The grain's counters see the delivery order.
        var snapshot = await Pipeline.Cluster.GrainFactory.GetGrain<IProductGrain>($"test:{id}").GetAsync();
        Assert.NotNull(snapshot);
        Assert.Equal((1L, 1L), (snapshot.Applied, snapshot.Ignored));
    }

    [Fact]
    public async Task Updates_apply_in_order_and_derive_price_category()
    {
        var id = GrainBehaviourFixture.NewId();
        await SendProduct(Product(id, "A", 10m), 1);
        await SendProduct(Product(id, "B", 60m), 2);
        await SendProduct(Product(id, "C", 99.99m), 3);
        await Pipeline.WaitCaughtUpAsync();

        var rows = await Pipeline.Database.RowsAsync($"SELECT title, price_category FROM products WHERE source = 'test' AND id = {id}");
        Assert.Equal(["C|moyen"], rows);
        // Delivered as 3,1,2 the row would still end at C (the grain drops lower versions); only in offset order
        // are all three applied and none ignored.
        var snapshot = await Pipeline.Cluster.GrainFactory.GetGrain<IProductGrain>($"test:{id}").GetAsync();
        Assert.NotNull(snapshot);
        Assert.Equal((3L, 0L), (snapshot.Applied, snapshot.Ignored));
        // The grain keeps the latest record as its JSON; the live API reads it back whole.
        Assert.Equal(("C", 99.99m, 3L), (snapshot.Record.Title, snapshot.Record.Price, snapshot.Version));
    }

    [Fact]
    public async Task Cart_update_removes_dropped_line_and_updates_changed_quantity()
    {
        var id = GrainBehaviourFixture.NewId();
        var date = new DateTime(2020, 3, 2, 0, 0, 0, DateTimeKind.Utc);
        CartRecord Cart(params (long Product, int Quantity)[] lines) => new()
        {
            Source = "test",
            Id = id,
            UserId = 7,
            CartDate = date,
            Lines = [.. lines.Select(l => new CartLine(l.Product, l.Quantity, 1.5m))],
        };
        await SendCart(Cart((1, 2), (2, 3), (3, 1)), 10);
        await Pipeline.WaitCaughtUpAsync();
        var untouchedBefore = await Pipeline.Database.RowsAsync($"SELECT updated_at FROM cart_items WHERE source = 'test' AND cart_id = {id} AND product_id = 3");

        await SendCart(Cart((1, 5), (3, 1)), 20);
        await Pipeline.WaitCaughtUpAsync();

        var rows = await Pipeline.Database.RowsAsync(
            $"SELECT product_id, quantity, day_of_week, month FROM cart_items WHERE source = 'test' AND cart_id = {id} ORDER BY product_id");
        Assert.Equal(["1|5|Monday|March", "3|1|Monday|March"], rows);
        var untouchedAfter = await Pipeline.Database.RowsAsync($"SELECT updated_at FROM cart_items WHERE source = 'test' AND cart_id = {id} AND product_id = 3");
        Assert.Equal(untouchedBefore, untouchedAfter);
    }

    [Fact]
    public async Task Replayed_old_cart_version_does_not_bring_back_removed_lines()
    {
        var id = GrainBehaviourFixture.NewId();
        var v1 = new CartRecord { Source = "test", Id = id, Lines = [new CartLine(1, 1, null), new CartLine(2, 1, null)] };
        var v2 = new CartRecord { Source = "test", Id = id, Lines = [new CartLine(1, 1, null)] };
        await SendCart(v1, 1);
        await SendCart(v2, 2);
        await SendCart(v1, 1);
        await Pipeline.WaitCaughtUpAsync();

        var rows = await Pipeline.Database.RowsAsync($"SELECT product_id FROM cart_items WHERE source = 'test' AND cart_id = {id}");
        Assert.Equal(["1"], rows);
    }

    [Fact]
    public async Task Poison_message_is_rejected_with_its_reason_and_the_partition_moves_on()
    {
        var id = GrainBehaviourFixture.NewId();
        var key = $"test:{id}";
        await fixture.Producer.SendRawAsync(Pipeline.Options.ProductsTopic, key, Encoding.UTF8.GetBytes("{not json"));
        await fixture.Producer.SendRawAsync(Pipeline.Options.ProductsTopic, key, Encoding.UTF8.GetBytes("""{"schema_version":99}"""));
        await SendProduct(Product(id, "After poison", 5m), 1);
        await Pipeline.WaitCaughtUpAsync();

        var rejected = await Pipeline.Database.RowsAsync(
            $"SELECT stage, reason FROM rejected_records WHERE key = '{key}' ORDER BY \"offset\"");
        Assert.Equal(2, rejected.Count);
        Assert.StartsWith("decode|invalid JSON", rejected[0], StringComparison.Ordinal);
        Assert.StartsWith("decode|unsupported or missing schema_version", rejected[1], StringComparison.Ordinal);
        Assert.Equal(["After poison"], await Pipeline.Database.RowsAsync($"SELECT title FROM products WHERE source = 'test' AND id = {id}"));
    }

    [Fact]
    public async Task Row_that_postgres_refuses_becomes_a_rejected_record_and_others_still_land()
    {
        var bad = GrainBehaviourFixture.NewId();
        var good = GrainBehaviourFixture.NewId();
        await SendProduct(Product(bad, "Too expensive", 1e15m), 1); // beyond numeric(12,2)
        await SendProduct(Product(good, "Fine", 3m), 1);
        await Pipeline.WaitCaughtUpAsync();

        Assert.Equal(["projection"], await Pipeline.Database.RowsAsync($"SELECT stage FROM rejected_records WHERE key = 'test:{bad}'"));
        Assert.Equal(0, await Pipeline.Database.ScalarAsync($"SELECT count(*) FROM products WHERE source = 'test' AND id = {bad}"));
        Assert.Equal(1, await Pipeline.Database.ScalarAsync($"SELECT count(*) FROM products WHERE source = 'test' AND id = {good}"));
    }

    [Fact]
    public async Task Message_with_NUL_in_its_key_is_rejected_escaped_and_its_partition_moves_on()
    {
        // Produced straight to the topic by a foreign client: PostgreSQL cannot store the NUL (22021), and that used
        // to retry the rejection forever and stall every later record of the partition.
        var id = GrainBehaviourFixture.NewId();
        await fixture.Producer.SendRawAsync(Pipeline.Options.ProductsTopic, $"test:\u0000{id}", Encoding.UTF8.GetBytes("not json at all"));
        await fixture.Producer.SendRawAsync(Pipeline.Options.ProductsTopic, $"test:{id}\u0000", Encoding.UTF8.GetBytes("""{"schema_version":1}"""));
        await SendProduct(Product(id, "After NUL key", 5m), 1);
        await Pipeline.WaitCaughtUpAsync(TimeSpan.FromSeconds(30));

        var rejected = await Pipeline.Database.RowsAsync(
            $"SELECT key, reason FROM rejected_records WHERE key IN ('test:\\u0000{id}', 'test:{id}\\u0000')");
        Assert.Equal([$"test:{id}\\u0000|message key contains a NUL character", $"test:\\u0000{id}|message key contains a NUL character"], rejected.Order(StringComparer.Ordinal));
        Assert.Equal(["After NUL key"], await Pipeline.Database.RowsAsync($"SELECT title FROM products WHERE source = 'test' AND id = {id}"));
    }

    [Fact]
    public async Task Message_with_a_key_too_long_or_not_UTF8_is_rejected_before_any_grain_activates()
    {
        var id = GrainBehaviourFixture.NewId();
        var longKey = $"test:{id}:" + new string('k', 300);
        await fixture.Producer.SendRawAsync(Pipeline.Options.ProductsTopic, longKey, Encoding.UTF8.GetBytes("{}"));
        await SendProduct(Product(id, "After long key", 5m), 1);
        await Pipeline.WaitCaughtUpAsync(TimeSpan.FromSeconds(30));

        var reason = Assert.Single(await Pipeline.Database.RowsAsync($"SELECT reason FROM rejected_records WHERE key = '{longKey}'"));
        Assert.Equal($"message key is {longKey.Length} characters long; at most 256 are allowed", reason);
        Assert.Equal(["After long key"], await Pipeline.Database.RowsAsync($"SELECT title FROM products WHERE source = 'test' AND id = {id}"));
    }

    [Fact]
    public async Task Records_of_two_sources_with_the_same_id_are_different_entities()
    {
        var id = GrainBehaviourFixture.NewId();
        await SendProduct(new ProductRecord { Source = "test", Id = id, Title = "T" }, 1);
        await SendProduct(new ProductRecord { Source = "test2", Id = id, Title = "U" }, 1);
        await Pipeline.WaitCaughtUpAsync();

        var rows = await Pipeline.Database.RowsAsync($"SELECT source, title FROM products WHERE id = {id} ORDER BY source");
        Assert.Equal(["test|T", "test2|U"], rows);
    }

    [Fact]
    public void Cached_grain_reference_is_the_one_GetGrain_gives()
    {
        var cache = ActivatorUtilities.CreateInstance<GrainReferenceCache>(Pipeline.Cluster.Client.ServiceProvider);
        var factory = Pipeline.Cluster.GrainFactory;

        foreach (var (cached, made) in new (object, object)[]
        {
            (cache.Get<IProductGrain>("test:1"), factory.GetGrain<IProductGrain>("test:1")),
            (cache.Get<IProductGrain>("test:a:b"), factory.GetGrain<IProductGrain>("test:a:b")),
            (cache.Get<ICartGrain>("test:1"), factory.GetGrain<ICartGrain>("test:1")),
            (cache.Get<ISessionGrain>("s-1"), factory.GetGrain<ISessionGrain>("s-1")),
        })
        {
            var (c, m) = ((GrainReference)cached, (GrainReference)made);
            Assert.Equal(m.GrainId, c.GrainId);
            Assert.Equal(m.InterfaceType, c.InterfaceType);
            Assert.Equal(m.GetType(), c.GetType());
        }
        Assert.NotEqual(((GrainReference)cache.Get<IProductGrain>("test:1")).GrainId, ((GrainReference)cache.Get<ICartGrain>("test:1")).GrainId);
    }
}
