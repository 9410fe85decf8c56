using System.Text.Json;

namespace Shopstream.Pipeline.Tests.Infrastructure;

/// <summary>The real FakeStore and DummyJSON datasets shipped in samples/apis.</summary>
public static class Fixtures
{
    public static string SamplesDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "samples", "apis");
                if (File.Exists(Path.Combine(dir.FullName, "Shopstream.sln")) && Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
            throw new DirectoryNotFoundException("samples/apis not found above " + AppContext.BaseDirectory);
        }
    }

    public static JsonElement Load(string source, string entity)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(SamplesDirectory, source, entity + ".json")));
        return doc.RootElement.Clone();
    }
}
