using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using Shopstream.Grains.Interfaces.Wire;

namespace Shopstream.Grains;

/// <summary>
/// Grain state that is not read when the grain activates: read once when something needs it (a live API, a save that
/// finds an earlier state), merged with what the grain has built since, and written without a read when nothing was
/// saved before. For grains whose durable truth is in the projection, so that a burst of new grains costs no storage
/// round trip on the way in nor a read on the way out.
/// </summary>
/// <typeparam name="T">The state type.</typeparam>
/// <param name="name">The state's name: part of its storage key (as <c>[PersistentState]</c>'s name was).</param>
/// <param name="merge">Combines the saved state (first) with the grain's own (second) into the one to keep.</param>
internal sealed class SavedState<T>(string name, Func<T, T, T> merge)
    where T : class, new()
{
    // The saved state with its ETag once read or first written; null until then.
    private GrainState<T>? saved;

    /// <summary>
    /// Reads the saved state if this activation has not yet, and returns it merged with <paramref name="current"/>;
    /// afterwards returns <paramref name="current"/> unchanged.
    /// </summary>
    public async Task<T> ReadOnceAsync(IGrainContext grain, T current)
    {
        if (saved is not null)
        {
            return current;
        }
        var read = new GrainState<T>();
        await Storage(grain).ReadStateAsync(name, grain.GrainId, read);
        var kept = merge(read.State ?? new T(), current);
        read.State = kept;
        saved = read;
        return kept;
    }

    /// <summary>
    /// Writes <paramref name="current"/>. Without a read first when this activation knows of no saved state: most grains
    /// never had one (an insert); if one exists the insert is refused, and it is read, merged and written over. Returns
    /// the state written (merged when a saved state was found).
    /// </summary>
    public async Task<T> WriteAsync(IGrainContext grain, T current)
    {
        var storage = Storage(grain);
        if (saved is null)
        {
            var first = new GrainState<T>(current);
            try
            {
                await storage.WriteStateAsync(name, grain.GrainId, first);
                saved = first;
                return current;
            }
            catch (InconsistentStateException)
            {
                // Saved by an earlier activation: merge with it below.
            }
            current = await ReadOnceAsync(grain, current);
        }
        saved!.State = current;
        await storage.WriteStateAsync(name, grain.GrainId, saved);
        return current;
    }

    private static IGrainStorage Storage(IGrainContext grain) =>
        grain.ActivationServices.GetRequiredKeyedService<IGrainStorage>(StreamProviders.EntityStorage);
}
