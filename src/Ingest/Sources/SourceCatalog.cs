using Shopstream.Ingest.RappelConso;

namespace Shopstream.Ingest.Sources;

/// <summary>Every source the cluster can run. Adding one is a folder in <c>src/Ingest</c> and one line here.</summary>
public static class SourceCatalog
{
    /// <summary>The sources, in the order they are listed.</summary>
    public static IReadOnlyList<SourceDefinition> All { get; } =
    [
        new(SourceNames.FakeStore, "0 * * * *", new Uri("https://fakestoreapi.com"), null, CatalogueSource.Create(SourceNames.FakeStore)),
        new(SourceNames.DummyJson, "0 * * * *", new Uri("https://dummyjson.com"), null, CatalogueSource.Create(SourceNames.DummyJson)),
        new(SourceNames.RappelConso, "0 6 * * *", new Uri("https://data.economie.gouv.fr"), RappelConsoSource.DefaultDataset, RappelConsoSource.Create),
    ];

    /// <summary>The definition of <paramref name="name"/>, or null when no source has that name.</summary>
    public static SourceDefinition? Find(string name) => All.FirstOrDefault(d => d.Name == name);
}
