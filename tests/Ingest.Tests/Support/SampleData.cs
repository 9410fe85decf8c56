using System.Text.Json;

namespace Shopstream.Ingest.Tests.Support;

/// <summary>The real API fixture data in samples/apis, found from the test binaries by walking up to the solution.</summary>
internal static class SampleData
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    public static string RepositoryRoot => Root.Value;

    public static string ApisDirectory => Path.Combine(RepositoryRoot, "samples", "apis");

    public static string FileOf(string source, string entity) => Path.Combine(ApisDirectory, source, entity + ".json");

    /// <summary>The raw records of one fixture file.</summary>
    public static IReadOnlyList<JsonElement> Raw(string source, string entity)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FileOf(source, entity)));
        return [.. document.RootElement.Clone().EnumerateArray()];
    }

    /// <summary>Parses an inline JSON snippet of a raw record.</summary>
    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Shopstream.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Shopstream.sln not found above {AppContext.BaseDirectory}");
    }
}
