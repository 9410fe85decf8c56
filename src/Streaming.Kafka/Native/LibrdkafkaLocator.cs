using System.Runtime.InteropServices;

namespace Shopstream.Streaming.Kafka;

/// <summary>
/// Loads librdkafka once per process, for Confluent.Kafka and for the mock-cluster API alike.
/// </summary>
/// <remarks>
/// The librdkafka.redist package ships several builds. Its default <c>librdkafka.so</c> links
/// <c>libsasl2.so.3</c>, which Debian does not have, so the loader tries the builds in an order
/// that works there and everywhere else, and both Confluent.Kafka and the mock API use the same file.
/// </remarks>
public static class LibrdkafkaLocator
{
    private static readonly Lock Gate = new();
    private static string? loadedPath;
    private static IntPtr handle;
    private static readonly string[] LibdlNames = ["libdl.so.2", "libc.so.6", "libdl.so"];

    /// <summary>Environment variable naming an explicit librdkafka file to use.</summary>
    public const string PathVariable = "SHOPSTREAM_LIBRDKAFKA";

    /// <summary>The path of the librdkafka file in use, loading it when needed.</summary>
    public static string EnsureLoaded()
    {
        lock (Gate)
        {
            if (loadedPath is not null)
            {
                return loadedPath;
            }
            var failures = new List<string>();
            foreach (var candidate in Candidates())
            {
                if (!File.Exists(candidate))
                {
                    continue;
                }
                if (!NativeLibrary.TryLoad(candidate, out var h))
                {
                    failures.Add(candidate);
                    continue;
                }
                handle = h;
                RedirectLibdl();
                try
                {
                    Confluent.Kafka.Library.Load(candidate);
                }
                catch (InvalidOperationException)
                {
                    // Already loaded by Confluent.Kafka (for example by an earlier client): keep going.
                }
                loadedPath = candidate;
                return candidate;
            }
            throw new DllNotFoundException(
                "could not load librdkafka; tried: " + string.Join(", ", failures.DefaultIfEmpty("(no candidate file found)")) +
                $". Set {PathVariable} to a working librdkafka.so.");
        }
    }

    /// <summary>The native handle of the loaded library.</summary>
    internal static IntPtr Handle
    {
        get
        {
            EnsureLoaded();
            return handle;
        }
    }

    /// <summary>
    /// Confluent.Kafka loads an explicit librdkafka path with <c>dlopen</c> from "libdl", a name only the
    /// development package provides on Debian; point it at the runtime's <c>libdl.so.2</c> (or libc), and
    /// bind its librdkafka imports to the file loaded here.
    /// </summary>
    private static void RedirectLibdl()
    {
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, (name, _, _) =>
            {
                if (name.Contains("rdkafka", StringComparison.Ordinal))
                {
                    // Every librdkafka import of Confluent.Kafka binds to the build that loaded.
                    return handle;
                }
                if (name != "libdl")
                {
                    return IntPtr.Zero;
                }
                foreach (var real in LibdlNames)
                {
                    if (NativeLibrary.TryLoad(real, out var h))
                    {
                        return h;
                    }
                }
                return IntPtr.Zero;
            });
        }
        catch (InvalidOperationException)
        {
            // A resolver is already set for the assembly (by the host): leave it.
        }
    }

    private static IEnumerable<string> Candidates()
    {
        var explicitPath = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            yield return explicitPath;
        }
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier.StartsWith("linux-arm64", StringComparison.Ordinal) ? "linux-arm64" : "linux-x64", "native");
        yield return Path.Combine(native, "librdkafka.so");
        yield return Path.Combine(native, "centos8-librdkafka.so");
        yield return Path.Combine(native, "alpine-librdkafka.so");
    }
}
