namespace Shopstream.Ingest.Sources;

/// <summary>The APIs the ingest knows; each is the first half of every record key (<c>source:id</c>).</summary>
public static class SourceNames
{
    public const string FakeStore = "fakestore";
    public const string DummyJson = "dummyjson";

    public static IReadOnlyList<string> All { get; } = [FakeStore, DummyJson];
}
