namespace Shopstream.Cli;

/// <summary>Finds files shipped with the repository (the bundled samples).</summary>
internal static class RepoPaths
{
    public static string Root()
    {
        var home = Environment.GetEnvironmentVariable("SHOPSTREAM_HOME");
        if (!string.IsNullOrEmpty(home))
        {
            return home;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Shopstream.sln")))
            {
                return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }

    public static string SamplesDirectory() => Path.Combine(Root(), "samples", "apis");
}
