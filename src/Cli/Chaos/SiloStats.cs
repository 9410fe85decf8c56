using System.Net;
using System.Text.Json;

namespace Shopstream.Cli.Chaos;

/// <summary>A silo process as its <c>/api/stats</c> shows it, for choosing the moment of a kill.</summary>
/// <param name="Consumed">Records this silo has read since it started.</param>
/// <param name="Owned">Partitions of the topic asked about that it reads now.</param>
/// <param name="Lag">Records of those partitions not yet committed.</param>
internal sealed record SiloStats(long Consumed, int Owned, long Lag)
{
    public static async Task<SiloStats?> ReadAsync(HttpClient http, int port, string topic, CancellationToken ct)
    {
        try
        {
            await using var body = await http.GetStreamAsync(new Uri($"http://127.0.0.1:{port}/api/stats"), ct);
            using var json = await JsonDocument.ParseAsync(body, cancellationToken: ct);
            var owned = json.RootElement.GetProperty("partitions").EnumerateArray()
                .Where(p => p.GetProperty("owner").ValueKind == JsonValueKind.String && p.GetProperty("topic").GetString() == topic).ToList();
            return new SiloStats(
                json.RootElement.GetProperty("consumed").GetInt64(),
                owned.Count,
                owned.Sum(p => p.GetProperty("lag") is { ValueKind: JsonValueKind.Number } lag ? lag.GetInt64() : 0));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    public static async Task WaitReadyAsync(HttpClient http, int port, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/ready"), ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the silo on HTTP port {port} was not ready within {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(250, ct);
        }
    }

    /// <summary>A silo (index into <paramref name="ports"/>, picked at random) that reads partitions of the topic now, and its stats.</summary>
    public static async Task<(int Index, SiloStats Stats)> AnyReadingPartitionsAsync(HttpClient http, IReadOnlyList<int> ports, string topic, Random random, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (var i in Enumerable.Range(0, ports.Count).OrderBy(_ => random.Next()))
            {
                if (await ReadAsync(http, ports[i], topic, ct) is { Owned: > 0 } stats)
                {
                    return (i, stats);
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no silo read any partition of {topic} within {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(250, ct);
        }
    }

    /// <summary>Polls until the silo has read more than <paramref name="consumedBefore"/> records; returns that reading.</summary>
    public static async Task<SiloStats> WaitUntilReadAsync(HttpClient http, int port, string topic, long consumedBefore, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await ReadAsync(http, port, topic, ct) is { } stats && stats.Consumed > consumedBefore)
            {
                return stats;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the silo on HTTP port {port} read no new record within {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(10, ct);
        }
    }
}
