using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Projection.Storage;
using Shopstream.Tests.Support;

namespace Shopstream.Grains.Tests;

/// <summary>
/// Grain state written by Orleans' ADO.NET provider and read back through the batched reads: every grain gets its
/// own row, found by the same key columns the provider wrote.
/// </summary>
public sealed class GrainStateStorageTests(GrainBehaviourFixture fixture) : IClassFixture<GrainBehaviourFixture>
{
    private const int Entities = 300;

    [Fact]
    public async Task State_saved_at_deactivation_is_read_back_per_grain_in_batches()
    {
        var pipeline = fixture.Pipeline;
        var first = GrainBehaviourFixture.NewId() * 1_000;
        var ids = Enumerable.Range(0, Entities).Select(i => first + i).ToList();
        foreach (var id in ids)
        {
            // Each entity gets its own title and version, so a mixed-up state would show.
            var record = new ProductRecord { Source = "state", Id = id, Title = $"t{id}", Price = 1m, Category = "c" };
            await fixture.Producer.SendAsync(pipeline.Options.ProductsTopic, StreamNamespaces.Products, $"state:{id}", record, id);
        }
        await pipeline.WaitCaughtUpAsync();

        // Deactivation saves each grain's state through the ADO.NET provider.
        await pipeline.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await Eventually.Until(
            () => pipeline.Database.ScalarAsync(
                "SELECT count(*) FROM OrleansStorage WHERE GrainTypeString = 'product' AND GrainIdExtensionString LIKE 'state:%' AND PayloadBinary IS NOT NULL"),
            n => n == Entities, TimeSpan.FromSeconds(30), "product states saved on deactivation");
        // The columns the batched read looks up are the ones the provider wrote.
        var keys = await pipeline.Database.RowsAsync(
            $"SELECT GrainIdN0, GrainIdN1, GrainIdExtensionString FROM OrleansStorage WHERE GrainTypeString = 'product' AND GrainIdExtensionString = 'state:{first}'");
        Assert.Equal([$"0|0|state:{first}"], keys);
        Assert.Equal(new StorageKey("product", $"state:{first}", 0, 0), StorageKey.Of("product", GrainId.Create("product", $"state:{first}")));

        var silo = Assert.IsType<InProcessSiloHandle>(pipeline.Cluster.Primary);
        var storage = Assert.IsType<BatchedReadGrainStorage>(
            silo.SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(StreamProviders.EntityStorage));
        var (queriesBefore, statesBefore) = (storage.Queries, storage.StatesRead);

        // Reactivate all at once: their reads go out together.
        var snapshots = await Task.WhenAll(ids.Select(id => pipeline.Cluster.GrainFactory.GetGrain<IProductGrain>($"state:{id}").GetAsync()));

        for (var i = 0; i < Entities; i++)
        {
            var s = snapshots[i] ?? throw new Xunit.Sdk.XunitException($"state:{ids[i]} has no state");
            Assert.Equal($"t{ids[i]}", s.Record.Title);
            Assert.Equal(ids[i], s.Version);
            Assert.Equal(1, s.Applied);
        }
        var states = storage.StatesRead - statesBefore;
        var queries = storage.Queries - queriesBefore;
        Assert.True(states >= Entities, $"{states} states read for {Entities} activations");
        Assert.True(queries < states, $"{queries} queries for {states} states: reads were not batched");
    }

    [Fact]
    public async Task Key_PostgreSQL_cannot_read_and_a_corrupt_state_do_not_fail_the_activations_read_with_them()
    {
        var pipeline = fixture.Pipeline;
        var first = GrainBehaviourFixture.NewId() * 1_000;
        var ids = Enumerable.Range(0, 5).Select(i => first + i).ToList();
        foreach (var id in ids)
        {
            var record = new ProductRecord { Source = "unreadable", Id = id, Title = $"t{id}", Price = 1m, Category = "c" };
            await fixture.Producer.SendAsync(pipeline.Options.ProductsTopic, StreamNamespaces.Products, $"unreadable:{id}", record, id);
        }
        await pipeline.WaitCaughtUpAsync();
        await pipeline.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await Eventually.Until(
            () => pipeline.Database.ScalarAsync("SELECT count(*) FROM OrleansStorage WHERE GrainIdExtensionString LIKE 'unreadable:%' AND PayloadBinary IS NOT NULL"),
            n => n == 5, TimeSpan.FromSeconds(30), "the five states saved on deactivation");
        // The last one's stored state is damaged; another grain's key holds a NUL, which PostgreSQL refuses in a query (22021).
        await pipeline.Database.ScalarAsync($"UPDATE OrleansStorage SET PayloadBinary = '\\x00ff00ff'::bytea WHERE GrainIdExtensionString = 'unreadable:{ids[^1]}'; SELECT 1");
        var grains = ids.Select(id => pipeline.Cluster.GrainFactory.GetGrain<IProductGrain>($"unreadable:{id}")).ToList();
        var nul = pipeline.Cluster.GrainFactory.GetGrain<IProductGrain>($"unreadable:\u0000{first}");

        // Activated together, so their reads are batched together.
        var snapshots = await Task.WhenAll([.. grains.Select(g => g.GetAsync()), nul.GetAsync()]);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal($"t{ids[i]}", snapshots[i]?.Record.Title);
        }
        Assert.Null(snapshots[4]); // the corrupt state: started afresh
        Assert.Null(snapshots[5]); // the NUL key: started afresh
    }

    [Fact]
    public async Task New_entities_activate_without_a_state_read()
    {
        var pipeline = fixture.Pipeline;
        var storage = BatchedStorage(pipeline);
        var (queriesBefore, statesBefore) = (storage.Queries, storage.StatesRead);
        var first = GrainBehaviourFixture.NewId() * 1_000;
        for (var i = 0; i < 200; i++)
        {
            var record = new ProductRecord { Source = "fresh", Id = first + i, Title = $"t{i}", Price = 1m, Category = "c" };
            await fixture.Producer.SendAsync(pipeline.Options.ProductsTopic, StreamNamespaces.Products, $"fresh:{first + i}", record, 1);
        }
        await pipeline.WaitCaughtUpAsync();

        Assert.Equal(200L, await pipeline.Database.ScalarAsync($"SELECT count(*) FROM products WHERE source = 'fresh' AND id >= {first}"));
        Assert.Equal(0, storage.StatesRead - statesBefore);
        Assert.Equal(0, storage.Queries - queriesBefore);
    }

    [Fact]
    public async Task A_late_record_after_reactivation_neither_changes_the_row_nor_hides_the_newer_saved_state()
    {
        var pipeline = fixture.Pipeline;
        var id = GrainBehaviourFixture.NewId();
        var key = $"late:{id}";
        await fixture.Producer.SendAsync(pipeline.Options.ProductsTopic, StreamNamespaces.Products, key,
            new ProductRecord { Source = "late", Id = id, Title = "v5", Price = 5m, Category = "c" }, 5);
        await pipeline.WaitCaughtUpAsync();
        await pipeline.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await Eventually.Until(
            () => pipeline.Database.ScalarAsync($"SELECT count(*) FROM OrleansStorage WHERE GrainIdExtensionString = '{key}' AND PayloadBinary IS NOT NULL"),
            n => n == 1, TimeSpan.FromSeconds(30), "the state saved on deactivation");

        // Version 3 arrives late, to a fresh activation that has read nothing.
        await fixture.Producer.SendAsync(pipeline.Options.ProductsTopic, StreamNamespaces.Products, key,
            new ProductRecord { Source = "late", Id = id, Title = "v3", Price = 3m, Category = "c" }, 3);
        await pipeline.WaitCaughtUpAsync();

        Assert.Equal(["v5|5"], await pipeline.Database.RowsAsync($"SELECT title, version FROM products WHERE source = 'late' AND id = {id}"));
        var snapshot = await pipeline.Cluster.GrainFactory.GetGrain<IProductGrain>(key).GetAsync();
        Assert.Equal("v5", snapshot?.Record.Title);
        Assert.Equal(5, snapshot?.Version);
    }

    [Fact]
    public async Task A_save_over_a_state_saved_by_an_earlier_activation_keeps_the_newer_record_and_adds_the_counts()
    {
        var pipeline = fixture.Pipeline;
        var id = GrainBehaviourFixture.NewId();
        var key = $"resave:{id}";
        var management = pipeline.Cluster.GrainFactory.GetGrain<IManagementGrain>(0);
        async Task SendAndDeactivateAsync(string title, long version, int savesSoFar)
        {
            await fixture.Producer.SendAsync(pipeline.Options.ProductsTopic, StreamNamespaces.Products, key,
                new ProductRecord { Source = "resave", Id = id, Title = title, Price = version, Category = "c" }, version);
            await pipeline.WaitCaughtUpAsync();
            await management.ForceActivationCollection(TimeSpan.Zero);
            // The ADO.NET provider bumps the row's version on each write.
            await Eventually.Until(
                () => pipeline.Database.ScalarAsync($"SELECT coalesce(max(Version), 0) FROM OrleansStorage WHERE GrainIdExtensionString = '{key}'"),
                n => n == savesSoFar, TimeSpan.FromSeconds(30), $"save {savesSoFar} of {key}");
        }

        await SendAndDeactivateAsync("v5", 5, savesSoFar: 1);
        // A new activation that has read nothing: its first write finds the earlier state and writes over it.
        await SendAndDeactivateAsync("v7", 7, savesSoFar: 2);

        var snapshot = await pipeline.Cluster.GrainFactory.GetGrain<IProductGrain>(key).GetAsync();
        Assert.Equal("v7", snapshot?.Record.Title);
        Assert.Equal(7, snapshot?.Version);
        Assert.Equal(2, snapshot?.Applied);
    }

    private static BatchedReadGrainStorage BatchedStorage(PipelineCluster pipeline) =>
        Assert.IsType<BatchedReadGrainStorage>(
            Assert.IsType<InProcessSiloHandle>(pipeline.Cluster.Primary).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(StreamProviders.EntityStorage));

    [Fact]
    public void Keys_map_like_the_ado_net_provider()
    {
        var guid = Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        var bytes = guid.ToByteArray();
        Assert.Equal(
            new StorageKey("s", null, BitConverter.ToInt64(bytes, 0), BitConverter.ToInt64(bytes, 8)),
            StorageKey.Of("s", GrainId.Create(GrainType.Create("g"), GrainIdKeyExtensions.CreateGuidKey(guid))));
        Assert.Equal(new StorageKey("s", null, 0, 42), StorageKey.Of("s", GrainId.Create(GrainType.Create("g"), GrainIdKeyExtensions.CreateIntegerKey(42))));
        Assert.Equal(new StorageKey("s", "x", 0, 42), StorageKey.Of("s", GrainId.Create(GrainType.Create("g"), GrainIdKeyExtensions.CreateIntegerKey(42, "x"))));
        Assert.Equal(new StorageKey("s", "web:1", 0, 0), StorageKey.Of("s", GrainId.Create("g", "web:1")));
        Assert.Throws<NotSupportedException>(() => StorageKey.Of("List`1", GrainId.Create("g", "k")));
    }
}
