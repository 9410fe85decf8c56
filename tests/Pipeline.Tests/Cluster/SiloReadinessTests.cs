using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Shopstream.Silo.Web;
using Shopstream.Kafka.Embedded;
using Xunit.Abstractions;

namespace Shopstream.Pipeline.Tests.Cluster;

/// <summary><c>/health/ready</c> of a silo process tells the truth about Kafka, on a broker of its own that the test takes down.</summary>
public sealed class SiloReadinessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ready_turns_503_while_kafka_is_unreachable_and_200_once_it_is_back()
    {
        using var broker = EmbeddedKafkaBroker.Start();
        await using var settings = await ClusterSettings.CreateAsync(partitions: 2);
        foreach (var topic in settings.Options.TopicsByNamespace().Values)
        {
            broker.CreateTopic(topic, 2);
        }
        await using var silo = SiloProcess.Start(settings, kafka: broker.BootstrapServers);
        await silo.WaitReadyAsync(TimeSpan.FromSeconds(90));
        using var http = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        broker.SetBrokerDown(1);
        var watch = Stopwatch.StartNew();
        var (down, downChecks) = await PollAsync(http, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30));
        output.WriteLine($"not ready {watch.Elapsed.TotalSeconds:0.0} s after the broker went down");
        using var live = await http.GetAsync(new Uri("health/live", UriKind.Relative));
        broker.SetBrokerUp(1);
        watch.Restart();
        var (up, upChecks) = await PollAsync(http, HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        output.WriteLine($"ready {watch.Elapsed.TotalSeconds:0.0} s after the broker came back");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down);
        Assert.StartsWith("unreachable", downChecks.GetProperty("kafka").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", downChecks.GetProperty("postgres").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, up);
        Assert.Equal("ok", upChecks.GetProperty("kafka").GetString());
    }

    [Theory]
    [InlineData(null, "ok")]
    [InlineData(59, "ok")]
    [InlineData(61, "failing since 2026-11-26T10:00:00.0000000+00:00 (61 s, more than 60 s)")]
    public void Projection_failing_longer_than_the_threshold_is_not_ready(int? failingForSeconds, string expected)
    {
        var now = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
        DateTimeOffset? since = failingForSeconds is { } s ? now : null;

        var check = ProjectionReadiness.Check(since, now.AddSeconds(failingForSeconds ?? 0), TimeSpan.FromSeconds(60)) ?? "ok";

        Assert.Equal(expected, check);
    }

    /// <summary>Asks <c>/health/ready</c> until it answers <paramref name="wanted"/>; returns that answer and its checks (a timeout names the last ones).</summary>
    private static Task<(HttpStatusCode Status, JsonElement Checks)> PollAsync(HttpClient http, HttpStatusCode wanted, TimeSpan timeout) =>
        Eventually.Until(async () =>
        {
            using var response = await http.GetAsync(new Uri("health/ready", UriKind.Relative));
            var checks = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").Clone();
            return (response.StatusCode, checks);
        }, answer => answer.StatusCode == wanted, timeout, $"/health/ready never answered {wanted}", TimeSpan.FromMilliseconds(500));
}
