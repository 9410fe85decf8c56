namespace Shopstream.Ingest.Tests.Support;

/// <summary>A scratch snapshot directory, deleted after the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "shopstream-ingest-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes <c>&lt;source&gt;/&lt;entity&gt;.json</c> and returns its full path.</summary>
    public string Write(string source, string entity, string content)
    {
        var directory = System.IO.Path.Combine(Path, source);
        Directory.CreateDirectory(directory);
        var file = System.IO.Path.Combine(directory, entity + ".json");
        File.WriteAllText(file, content);
        return file;
    }

    /// <summary>Copies a fixture file into the snapshot.</summary>
    public void CopySample(string source, string entity) =>
        Write(source, entity, File.ReadAllText(SampleData.FileOf(source, entity)));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not worth failing a test for.
        }
    }
}
