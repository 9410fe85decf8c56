using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Shopstream.Kafka.Embedded;
using Shopstream.Pipeline.Tests.Cluster;
using Xunit.Abstractions;

namespace Shopstream.Pipeline.Tests.Feeds;

/// <summary>
/// A feed is a source like the others: a <c>shopstream silo</c> process bridging a topic of a second embedded broker lists
/// it in <c>GET /api/sources</c> and <c>shopstream sources</c> with its lag on the foreign topic and its counts.
/// </summary>
public sealed class FeedSourceListingTests(ITestOutputHelper output)
{
    private const string Feed = "clicks";

    [Fact]
    public async Task A_configured_feed_shows_in_the_sources_with_its_lag_reaching_0_and_its_counts()
    {
        using var foreign = EmbeddedKafkaBroker.Start();
        var topic = "clicks" + Guid.NewGuid().ToString("N")[..8];
        foreign.CreateTopic(topic, 4);
        // Hand-counted: 40 valid generic events, then 3 messages the door refuses (not JSON, no session, not UTF-8).
        var messages = Enumerable.Range(0, 40).Select(ValidEvent)
            .Append(Encoding.UTF8.GetBytes("{not json"))
            .Append(Encoding.UTF8.GetBytes("""{"event_id":"bad-1","event_type":"product_view","timestamp":"2024-05-01T10:00:00Z","product_id":1}"""))
            .Append([0x7B, 0xFF, 0xFE, 0x7D])
            .ToList();
        using (var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = foreign.BootstrapServers }).Build())
        {
            for (var i = 0; i < messages.Count; i++)
            {
                await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = $"k{i}", Value = messages[i] });
            }
        }
        await using var settings = await ClusterSettings.CreateAsync(partitions: 4);
        await using var silo = SiloProcess.Start(settings, environment: new Dictionary<string, string>
        {
            [$"Shopstream__Feeds__{Feed}__Bootstrap"] = foreign.BootstrapServers,
            [$"Shopstream__Feeds__{Feed}__Topic"] = topic,
            [$"Shopstream__Feeds__{Feed}__Shape"] = "generic",
        });
        await silo.WaitReadyAsync(TimeSpan.FromSeconds(120));
        using var http = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var lagsSeen = new List<string>();
        var feed = await Eventually.Until(
            async () =>
            {
                var f = (await SourcesAsync(http)).Single(s => s.GetProperty("kind").GetString() == "feed");
                lagsSeen.Add(f.GetProperty("lag").ToString());
                return f;
            },
            f => f.GetProperty("lag").ValueKind == JsonValueKind.Number && f.GetProperty("lag").GetInt64() == 0 && f.GetProperty("consumed").GetInt64() == 43,
            TimeSpan.FromSeconds(90), "the feed's lag reaches 0 with every message consumed", TimeSpan.FromMilliseconds(200));
        output.WriteLine($"lag as listed, poll by poll: {string.Join(" ", lagsSeen)}");

        Assert.Equal(Feed, feed.GetProperty("name").GetString());
        Assert.Equal(foreign.BootstrapServers, feed.GetProperty("bootstrap").GetString());
        Assert.Equal(topic, feed.GetProperty("topic").GetString());
        Assert.Equal("generic", feed.GetProperty("shape").GetString());
        Assert.Equal("shopstream-feed-" + Feed, feed.GetProperty("group").GetString());
        Assert.Equal("bridging", feed.GetProperty("state").GetString());
        Assert.Equal((43L, 40L, 3L), (feed.GetProperty("consumed").GetInt64(), feed.GetProperty("produced").GetInt64(), feed.GetProperty("rejected").GetInt64()));
        var partitions = feed.GetProperty("lagPartitions").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2, 3], partitions.Select(p => p.GetProperty("partition").GetInt32()));
        Assert.Equal(43, partitions.Sum(p => p.GetProperty("end").GetInt64()));
        Assert.Equal(43, partitions.Sum(p => p.GetProperty("committed").GetInt64()));
        Assert.Equal(JsonValueKind.Null, feed.GetProperty("lagError").ValueKind);
        // The REST sources are still listed first, each as kind api.
        Assert.Equal(["fakestore", "dummyjson", "rappelconso"],
            (await SourcesAsync(http)).Where(s => s.GetProperty("kind").GetString() == "api").Select(s => s.GetProperty("name").GetString()));

        var (exit, listing) = await RunSourcesCommandAsync(silo.BaseAddress);
        output.WriteLine(listing);
        Assert.Equal(0, exit);
        var row = listing.Split('\n').Single(l => l.Contains(Feed, StringComparison.Ordinal) && l.Contains("feed", StringComparison.Ordinal) && l.Contains("generic", StringComparison.Ordinal));
        Assert.Contains("bridging", row, StringComparison.Ordinal);
        Assert.Contains("43 / 40 / 3", row, StringComparison.Ordinal);
        Assert.Matches(@"│\s*0\s*│", row);
    }

    private static byte[] ValidEvent(int i) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $$"""{"event_id":"l{{i}}","event_type":"product_view","timestamp":"2024-05-01T10:00:{{i:00}}Z","session_id":"s{{i % 7}}","product_id":{{i % 5 + 1}}}"""));

    private static async Task<List<JsonElement>> SourcesAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("api/sources", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray()];
    }

    /// <summary><c>shopstream sources --silo URL</c> as a process, as a user runs it; its exit code and standard output.</summary>
    private static async Task<(int Exit, string Output)> RunSourcesCommandAsync(Uri silo)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "shopstream.dll"), "sources", "--silo", silo.ToString() })
        {
            psi.ArgumentList.Add(argument);
        }
        // Wide enough that the tables do not wrap their cells.
        psi.Environment["COLUMNS"] = "240";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }
}
