using System.Runtime.CompilerServices;
using Shopstream.Grains.Interfaces.Grains;

namespace Shopstream.Grains.Sessions;

/// <summary>
/// Hands the new product views of all session grains of a silo to the product views grains in rounds: one call per
/// product per round, whatever the number of sessions that viewed it. A session's views are counted when the task it
/// got completes (its call, and so its offset, waits for that, as it waited for its own calls before); the next round
/// starts when the previous one ended, so under load a round takes whatever piled up meanwhile.
/// </summary>
/// <remarks>
/// Before, each session batch made one grain call per product it viewed: one more grain hop per event when sessions
/// see one event at a time. If a round fails, every session of it fails and is delivered again; its facts are then
/// already in <c>fact_events</c>, so its views are not counted twice (the counters are live numbers, see
/// <see cref="IProductViewsGrain"/>; the views of the products whose call did succeed stay counted).
/// </remarks>
internal sealed class ProductViewTally
{
    // One tally per silo: the silo's grain factory is the silo, and this keeps the tally out of the host's registrations.
    private static readonly ConditionalWeakTable<IGrainFactory, ProductViewTally> PerSilo = [];

    // A projection batch completes hundreds of sessions at once, but they resume one by one: waiting this long before
    // a round lets their views join it instead of making rounds of one or two sessions each.
    private static readonly TimeSpan GatherFor = TimeSpan.FromMilliseconds(2);

    private readonly IGrainFactory grains;
    private readonly Lock gate = new();
    private Dictionary<string, (int Count, DateTimeOffset LastViewedAt)> pending = new(StringComparer.Ordinal);
    private TaskCompletionSource? round;
    private bool running;

    private ProductViewTally(IGrainFactory grains) => this.grains = grains;

    public static ProductViewTally Of(IGrainFactory grains) => PerSilo.GetValue(grains, g => new ProductViewTally(g));

    /// <summary>Adds views per product grain key; completes once a round has counted them on their grains.</summary>
    public Task CountAsync(IEnumerable<(string ProductGrainKey, DateTimeOffset ViewedAt)> views)
    {
        lock (gate)
        {
            foreach (var (key, viewedAt) in views)
            {
                pending[key] = pending.TryGetValue(key, out var p)
                    ? (p.Count + 1, viewedAt > p.LastViewedAt ? viewedAt : p.LastViewedAt)
                    : (1, viewedAt);
            }
            if (pending.Count == 0)
            {
                return Task.CompletedTask;
            }
            round ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var counted = round.Task;
            if (!running)
            {
                running = true;
                _ = Task.Run(RunRoundsAsync);
            }
            return counted;
        }
    }

    private async Task RunRoundsAsync()
    {
        while (true)
        {
            await Task.Delay(GatherFor);
            Dictionary<string, (int Count, DateTimeOffset LastViewedAt)> taken;
            TaskCompletionSource done;
            lock (gate)
            {
                if (pending.Count == 0)
                {
                    running = false;
                    return;
                }
                (taken, pending) = (pending, new Dictionary<string, (int, DateTimeOffset)>(StringComparer.Ordinal));
                (done, round) = (round!, null);
            }
            try
            {
                await Task.WhenAll(taken.Select(v => grains.GetGrain<IProductViewsGrain>(v.Key).RecordViewsAsync(v.Value.Count, v.Value.LastViewedAt)));
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        }
    }
}
