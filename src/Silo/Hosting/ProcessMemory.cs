using System.Globalization;

namespace Shopstream.Silo.Hosting;

/// <summary>Resident memory of this process from /proc (Linux).</summary>
public static class ProcessMemory
{
    /// <summary>Peak resident set size in MB since start or the last <see cref="ResetPeak"/>.</summary>
    public static double PeakRssMb() => ReadKb("VmHWM:") / 1024.0;

    /// <summary>Current resident set size in MB.</summary>
    public static double RssMb() => ReadKb("VmRSS:") / 1024.0;

    /// <summary>Restarts the peak measurement (writes 5 to /proc/self/clear_refs).</summary>
    public static void ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static long ReadKb(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }
}
