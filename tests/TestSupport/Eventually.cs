using System.Globalization;

namespace Shopstream.Tests.Support;

/// <summary>
/// The one wait-until of the tests: polls an observation until it satisfies a condition, and on timeout fails with
/// what was last observed, so that a red test says how far the system got instead of only "timed out".
/// </summary>
public static class Eventually
{
    /// <summary>How often a condition is polled unless the caller says otherwise.</summary>
    public static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="observe"/> until <paramref name="done"/> holds and returns that observation.</summary>
    /// <exception cref="TimeoutException">Not within <paramref name="timeout"/>; the message names <paramref name="because"/> and the last value.</exception>
    public static async Task<T> Until<T>(Func<Task<T>> observe, Func<T, bool> done, TimeSpan timeout, string because, TimeSpan? poll = null)
    {
        ArgumentNullException.ThrowIfNull(observe);
        ArgumentNullException.ThrowIfNull(done);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await observe();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException(string.Format(CultureInfo.InvariantCulture,
                    "{0}: not within {1:0.#} s; last observed: {2}", because, timeout.TotalSeconds, Describe(value)));
            }
            await Task.Delay(poll ?? DefaultPoll);
        }
    }

    /// <summary>Polls a synchronous observation, e.g. a counter, until <paramref name="done"/> holds.</summary>
    public static Task<T> Until<T>(Func<T> observe, Func<T, bool> done, TimeSpan timeout, string because, TimeSpan? poll = null)
    {
        ArgumentNullException.ThrowIfNull(observe);
        return Until(() => Task.FromResult(observe()), done, timeout, because, poll);
    }

    /// <summary>Polls a condition until it holds.</summary>
    public static Task Until(Func<Task<bool>> condition, TimeSpan timeout, string because, TimeSpan? poll = null) =>
        Until(condition, static met => met, timeout, because, poll);

    /// <summary>Polls a synchronous condition until it holds.</summary>
    public static Task Until(Func<bool> condition, TimeSpan timeout, string because, TimeSpan? poll = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return Until(() => Task.FromResult(condition()), static met => met, timeout, because, poll);
    }

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        string s => s,
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>()) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
