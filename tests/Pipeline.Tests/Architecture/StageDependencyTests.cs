using System.Reflection;

namespace Shopstream.Pipeline.Tests.Architecture;

/// <summary>
/// The arrows point one way: each project is one stage of the flow and never references a later one, and the silo's
/// production executable carries no tools and no mock broker. Read from the compiled assemblies' references, so a
/// project reference added by hand or arriving transitively shows up here.
/// </summary>
public sealed class StageDependencyTests
{
    // In flow order. A stage may reference the ones before it, never the ones after.
    private static readonly string[] Stages =
    [
        "Shopstream.Grains.Interfaces",
        "Shopstream.Ingest",
        "Shopstream.Streaming.Kafka",
        "Shopstream.Kafka.Embedded",
        "Shopstream.Grains",
        "Shopstream.Projection",
        "Shopstream.Lake",
        "shopstream-silo",
        "shopstream",
    ];

    // Stages that are earlier in the list but still must not be referenced: siblings on different paths.
    private static readonly (string From, string To, string Why)[] Forbidden =
    [
        ("Shopstream.Projection", "Shopstream.Ingest", "the projection never imports Ingest: data moves left to right"),
        ("Shopstream.Grains", "Shopstream.Ingest", "grains receive records through Kafka, not from the ingest code"),
        ("Shopstream.Grains", "Shopstream.Streaming.Kafka", "only the stream provider knows Kafka on the consuming side"),
        ("Shopstream.Grains", "Shopstream.Kafka.Embedded", "the mock broker is for demo and tests"),
        ("Shopstream.Projection", "Shopstream.Kafka.Embedded", "the mock broker is for demo and tests"),
        ("Shopstream.Projection", "Shopstream.Streaming.Kafka", "the projection knows PostgreSQL, not Kafka"),
        ("Shopstream.Ingest", "Shopstream.Streaming.Kafka", "the ingest produces; the provider consumes"),
        ("Shopstream.Streaming.Kafka", "Shopstream.Grains.Interfaces", "the provider is reusable by any Orleans app"),
        ("Shopstream.Streaming.Kafka", "Shopstream.Kafka.Embedded", "the provider knows nothing of the embedded broker"),
        ("Shopstream.Lake", "Shopstream.Ingest", "the lake reads what the ingest produced from Kafka, not its code"),
        ("Shopstream.Lake", "Shopstream.Grains", "the lake reads the topics itself; grains are the product facts' path"),
        ("Shopstream.Lake", "Shopstream.Kafka.Embedded", "the mock broker is for demo and tests"),
    ];

    public static TheoryData<string> StageNames() => [.. Stages];

    [Theory]
    [MemberData(nameof(StageNames))]
    public void Stage_references_no_later_stage(string stage)
    {
        var later = Stages.SkipWhile(s => s != stage).Skip(1).ToHashSet(StringComparer.Ordinal);

        var wrong = DirectReferences(stage).Where(later.Contains).ToList();

        Assert.True(wrong.Count == 0, $"{stage} references later stages: {string.Join(", ", wrong)}");
    }

    [Fact]
    public void Sibling_stages_do_not_reference_each_other()
    {
        var wrong = Forbidden.Where(f => DirectReferences(f.From).Contains(f.To)).Select(f => $"{f.From} -> {f.To} ({f.Why})").ToList();

        Assert.True(wrong.Count == 0, string.Join("; ", wrong));
    }

    [Fact]
    public void Production_silo_carries_no_tools_and_no_mock_broker()
    {
        var closure = Closure("shopstream-silo");

        Assert.Contains("Shopstream.Projection", closure); // the closure is real: the silo hosts the projection
        Assert.DoesNotContain("shopstream", closure);
        Assert.DoesNotContain("Shopstream.Kafka.Embedded", closure);
        Assert.DoesNotContain("Spectre.Console", closure);
    }

    [Fact]
    public void Every_stage_assembly_is_found()
    {
        // Guards the tests above: a stage that cannot be loaded would reference nothing and pass them.
        foreach (var stage in Stages)
        {
            Assert.NotNull(Load(stage));
        }
    }

    private static HashSet<string> DirectReferences(string assembly) =>
        Load(assembly).GetReferencedAssemblies().Select(a => a.Name!).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every Shopstream (and third-party, by name) assembly reachable from <paramref name="root"/>.</summary>
    private static HashSet<string> Closure(string root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { root };
        var queue = new Queue<string>([root]);
        while (queue.TryDequeue(out var name))
        {
            foreach (var reference in DirectReferences(name))
            {
                if (seen.Add(reference) && (reference.StartsWith("Shopstream", StringComparison.Ordinal) || reference.StartsWith("shopstream", StringComparison.Ordinal)))
                {
                    queue.Enqueue(reference);
                }
            }
        }
        return seen;
    }

    private static Assembly Load(string name) => Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, name + ".dll"));
}
