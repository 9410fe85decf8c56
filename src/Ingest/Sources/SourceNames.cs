namespace Shopstream.Ingest.Sources;

/// <summary>The APIs the ingest knows; each is the first half of every record key (<c>source:id</c>).</summary>
public static class SourceNames
{
    public const string FakeStore = "fakestore";
    public const string DummyJson = "dummyjson";

    /// <summary>Product recall notices; not a catalogue, so not among <see cref="All"/>.</summary>
    public const string RappelConso = "rappelconso";

    /// <summary>The catalogue sources (products, carts, users).</summary>
    public static IReadOnlyList<string> All { get; } = [FakeStore, DummyJson];
}
