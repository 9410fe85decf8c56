using System.Collections;

namespace Shopstream.Cli.Bench;

/// <summary>How the bench spreads its updates over entities.</summary>
public enum BenchKeyDistribution
{
    /// <summary>Update i goes to entity (i mod entities) + 1: every entity equally often, never twice in a row (the headline).</summary>
    RoundRobin,

    /// <summary>
    /// Zipf (exponent 1) over the entities, in bursts: a few hot keys take most updates, a long tail is touched once or
    /// never, and half of the time the next update goes to the same entity again, as a session's or cart's do.
    /// </summary>
    Zipf,
}

/// <summary>The sequence of entity ids one bench phase updates; deterministic for a given distribution and size.</summary>
internal sealed class BenchKeys
{
    private readonly BenchKeyDistribution distribution;
    private readonly int entities;
    private readonly double[]? cumulative;
    private readonly Random random = new(20261126);
    private readonly BitArray touched;
    private int last;

    public BenchKeys(BenchKeyDistribution distribution, int entities)
    {
        this.distribution = distribution;
        this.entities = entities;
        touched = new BitArray(entities + 1);
        if (distribution == BenchKeyDistribution.Zipf)
        {
            cumulative = new double[entities];
            var sum = 0.0;
            for (var rank = 1; rank <= entities; rank++)
            {
                sum += 1.0 / rank;
                cumulative[rank - 1] = sum;
            }
            for (var i = 0; i < entities; i++)
            {
                cumulative[i] /= sum;
            }
        }
    }

    /// <summary>Distinct entities returned so far: the rows the phase must leave behind.</summary>
    public int Touched { get; private set; }

    /// <summary>The entity id (1-based) of update <paramref name="i"/>.</summary>
    public int Next(int i)
    {
        int id;
        if (cumulative is null)
        {
            id = (i % entities) + 1;
        }
        else if (last != 0 && random.NextDouble() < 0.5)
        {
            id = last;
        }
        else
        {
            var at = Array.BinarySearch(cumulative, random.NextDouble());
            id = (at < 0 ? ~at : at) + 1;
            id = Math.Min(id, entities);
        }
        last = id;
        if (!touched[id])
        {
            touched[id] = true;
            Touched++;
        }
        return id;
    }

    public override string ToString() => distribution == BenchKeyDistribution.Zipf ? "zipf" : "round-robin";
}
