using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Shopstream.Pipeline.Tests.Infrastructure;

namespace Shopstream.Pipeline.Tests.Cluster;

/// <summary>The web host of <c>shopstream silo</c>, served by real silo processes: entity API, stats, health, metrics, dashboard.</summary>
public sealed class SiloWebEndpointTests(SiloWebFixture fixture) : IClassFixture<SiloWebFixture>
{
    /// <summary>A client that presents the key: silos beyond loopback answer only to it (loopback ignores it).</summary>
    private static HttpClient Client(SiloProcess silo, string? apiKey = SiloWebFixture.DashboardApiKey)
    {
        var http = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
        return http;
    }

    private static async Task<HttpResponseMessage> GetDashboardAsync(SiloProcess silo, string? apiKey = null, string? basicAuthPassword = null)
    {
        using var http = Client(silo, apiKey: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "dashboard/");
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }
        if (basicAuthPassword is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("anyone:" + basicAuthPassword)));
        }
        return await http.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task Product_api_returns_the_ingested_product()
    {
        var sample = Fixtures.Load("fakestore", "products")[0];
        using var http = Client(fixture.Loopback);

        var product = await JsonAsync(await http.GetAsync($"api/products/fakestore/{sample.GetProperty("id").GetInt64()}"));

        Assert.Equal(sample.GetProperty("title").GetString(), product.GetProperty("record").GetProperty("title").GetString());
        Assert.Equal(sample.GetProperty("price").GetDecimal(), product.GetProperty("record").GetProperty("price").GetDecimal());
        Assert.True(product.GetProperty("version").GetInt64() > 0);
    }

    [Fact]
    public async Task Product_api_answers_404_for_an_unknown_product()
    {
        using var http = Client(fixture.Loopback);

        using var response = await http.GetAsync("api/products/fakestore/987654321");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Stats_of_the_silos_list_every_partition_with_exactly_one_owner()
    {
        var expected = fixture.Settings.Partitions.Order().ToList();
        var owners = await Eventually.Until(OwnersAsync, o => o.Select(p => (p.Topic, p.Partition)).Order().SequenceEqual(expected),
            TimeSpan.FromSeconds(30), "partitions and owners never matched", TimeSpan.FromMilliseconds(250));
        Assert.Equal(3, owners.Select(o => o.Owner).Distinct().Count());
    }

    /// <summary>The partitions each silo's stats say it reads now, with that silo as owner.</summary>
    private async Task<List<(string Topic, int Partition, string Owner)>> OwnersAsync()
    {
        var owners = new List<(string Topic, int Partition, string Owner)>();
        foreach (var silo in fixture.Silos)
        {
            using var http = Client(silo);
            var stats = await JsonAsync(await http.GetAsync("api/stats"));
            var self = stats.GetProperty("silo").GetString()!;
            Assert.Equal(3, stats.GetProperty("clusterSilos").GetArrayLength());
            Assert.Contains(self, stats.GetProperty("clusterSilos").EnumerateArray().Select(s => s.GetString()));
            // Nothing here outruns the broker's retention: no offset was found gone.
            Assert.Equal(0, stats.GetProperty("skipped").GetInt64());
            Assert.All(stats.GetProperty("partitions").EnumerateArray(), p => Assert.Equal(0, p.GetProperty("skipped").GetInt64()));
            // A silo lists every partition it has read; the owner is set on those it reads now.
            var readHere = stats.GetProperty("partitions").EnumerateArray()
                .Where(p => p.GetProperty("owner").ValueKind == JsonValueKind.String)
                .Select(p => (p.GetProperty("topic").GetString()!, p.GetProperty("partition").GetInt32(), p.GetProperty("owner").GetString()!))
                .ToList();
            Assert.All(readHere, p => Assert.Equal(self, p.Item3));
            owners.AddRange(readHere);
        }
        return owners;
    }

    [Fact]
    public async Task Live_health_answers_200()
    {
        using var http = Client(fixture.Loopback);

        using var response = await http.GetAsync("health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Ready_health_answers_200_with_postgres_and_kafka_ok()
    {
        using var http = Client(fixture.Loopback);

        var ready = await JsonAsync(await http.GetAsync("health/ready"));

        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal("ok", ready.GetProperty("checks").GetProperty("postgres").GetString());
        Assert.Equal("ok", ready.GetProperty("checks").GetProperty("kafka").GetString());
    }

    [Fact]
    public async Task Metrics_expose_consumed_records_and_partition_lag()
    {
        // The three silos share the partitions: together they read every record of the snapshot (647 in
        // samples/apis, plus the ingest's rejections), and once caught up no partition lags.
        long consumed = 0;
        long readByStats = 0;
        var lags = new List<long>();
        foreach (var silo in fixture.Silos)
        {
            using var http = Client(silo);
            var metrics = await http.GetStringAsync("metrics");
            consumed += Values(metrics, "shopstream_records_consumed").Sum();
            lags.AddRange(Values(metrics, "shopstream_partition_lag"));
            readByStats += (await JsonAsync(await http.GetAsync("api/stats"))).GetProperty("consumed").GetInt64();
        }

        // Exactly what the silos read (A_record_is_read_twice_only_on_a_partition_that_changed_hands bounds that).
        Assert.Equal(readByStats, consumed);
        Assert.NotEmpty(lags);
        Assert.All(lags, lag => Assert.Equal(0, lag));
    }

    /// <summary>
    /// The values of a metric's samples in Prometheus text (<c>name{labels} value [timestamp]</c>), whatever the suffix
    /// (<c>_total</c>) and labels.
    /// </summary>
    private static IEnumerable<long> Values(string metrics, string name) =>
        metrics.Split('\n')
            .Where(l => l.StartsWith(name, StringComparison.Ordinal) && (l[name.Length] is '{' or ' ' || l[name.Length..].StartsWith("_total", StringComparison.Ordinal)))
            .Select(l => (long)double.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task Dashboard_on_loopback_answers_without_a_key()
    {
        using var response = await GetDashboardAsync(fixture.Loopback);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<title>Orleans Dashboard</title>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_beyond_loopback_without_the_key_answers_401()
    {
        using var response = await GetDashboardAsync(fixture.Exposed);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Dashboard_beyond_loopback_with_a_wrong_key_answers_401()
    {
        using var response = await GetDashboardAsync(fixture.Exposed, apiKey: "not-the-key");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Dashboard_beyond_loopback_answers_200_with_the_key_in_X_Api_Key()
    {
        using var response = await GetDashboardAsync(fixture.Exposed, apiKey: SiloWebFixture.DashboardApiKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Dashboard_beyond_loopback_answers_200_with_the_key_as_basic_auth_password()
    {
        using var response = await GetDashboardAsync(fixture.Exposed, basicAuthPassword: SiloWebFixture.DashboardApiKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Health_beyond_loopback_needs_no_key()
    {
        // Container health checks probe /health/ready without credentials.
        using var http = Client(fixture.Exposed, apiKey: null);

        using var ready = await http.GetAsync("health/ready");
        using var live = await http.GetAsync("health/live");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Theory]
    [InlineData("api/users/fakestore/1")]
    [InlineData("api/products/fakestore/1")]
    [InlineData("api/stats")]
    [InlineData("metrics")]
    public async Task Data_beyond_loopback_without_the_key_answers_401_json(string path)
    {
        using var anonymous = Client(fixture.Exposed, apiKey: null);
        using var wrong = Client(fixture.Exposed, apiKey: "not-the-key");

        using var withoutKey = await anonymous.GetAsync(path);
        using var withWrongKey = await wrong.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withWrongKey.StatusCode);
        Assert.StartsWith("missing or wrong X-Api-Key", JsonDocument.Parse(await withoutKey.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_api_beyond_loopback_answers_200_with_the_key()
    {
        var sample = Fixtures.Load("fakestore", "users")[0];
        using var http = Client(fixture.Exposed);

        var user = await JsonAsync(await http.GetAsync($"api/users/fakestore/{sample.GetProperty("id").GetInt64()}"));

        Assert.Equal(sample.GetProperty("id").GetInt64(), user.GetProperty("record").GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Metrics_key_opens_metrics_and_nothing_else()
    {
        using var http = Client(fixture.ExposedWithMetricsKey, apiKey: SiloWebFixture.MetricsApiKey);

        using var metrics = await http.GetAsync("metrics");
        using var stats = await http.GetAsync("api/stats");
        using var user = await http.GetAsync("api/users/fakestore/1");

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stats.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
    }

    [Fact]
    public async Task Unknown_sources_and_malformed_ids_are_answered_without_activating_grains()
    {
        using var http = Client(fixture.Loopback);
        var before = await ProductGrainActivationsAsync(http);
        var random = new Random(15);
        var statuses = new List<HttpStatusCode>();

        for (var i = 0; i < 40; i++)
        {
            var source = new string(Enumerable.Range(0, 4096).Select(_ => (char)('a' + random.Next(26))).ToArray());
            using var unknownSource = await http.GetAsync($"api/products/{source}/{i}");
            statuses.Add(unknownSource.StatusCode);
        }
        var malformed = new List<HttpStatusCode>();
        foreach (var id in new[] { "abc", "1x", "-1", "1234567890123456789", new string('9', 4096), "%00" })
        {
            using var response = await http.GetAsync($"api/products/fakestore/{id}");
            malformed.Add(response.StatusCode);
        }
        var after = await ProductGrainActivationsAsync(http);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.NotFound, s));
        Assert.All(malformed, s => Assert.Equal(HttpStatusCode.BadRequest, s));
        // Idle grains may deactivate meanwhile, so the count may fall; each of the 46 keys would have raised it by one.
        Assert.True(after <= before, $"product grain activations went from {before} to {after}");
    }

    private static async Task<int> ProductGrainActivationsAsync(HttpClient http)
    {
        var stats = await JsonAsync(await http.GetAsync("api/stats"));
        return stats.GetProperty("activations").EnumerateObject()
            .Where(a => a.Name.StartsWith("Shopstream.Grains.Entities.ProductGrain,", StringComparison.Ordinal))
            .Sum(a => a.Value.GetInt32());
    }

    [Fact]
    public async Task Silo_beyond_loopback_without_a_key_refuses_to_start_naming_the_setting()
    {
        await using var silo = SiloProcess.Start(fixture.Settings, httpBind: "0.0.0.0");

        var exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, exitCode);
        Assert.Contains("Shopstream:DashboardApiKey", silo.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_is_read_twice_only_on_a_partition_that_changed_hands()
    {
        var reads = new Dictionary<(string Topic, int Partition), List<long>>();
        foreach (var silo in fixture.Silos)
        {
            using var http = Client(silo);
            var stats = await JsonAsync(await http.GetAsync("api/stats"));
            foreach (var p in stats.GetProperty("partitions").EnumerateArray())
            {
                var key = (p.GetProperty("topic").GetString()!, p.GetProperty("partition").GetInt32());
                (reads.TryGetValue(key, out var list) ? list : reads[key] = []).Add(p.GetProperty("consumed").GetInt64());
            }
        }
        using var progress = new Silo.Kafka.DeliveryProgress(fixture.Settings.Options.Kafka, fixture.Settings.Options.ConsumerGroup,
            fixture.Settings.Options.KafkaClient, fixture.Settings.Options.TopicsByNamespace().Values);
        var ends = progress.Read(TimeSpan.FromSeconds(10));

        Assert.Equal(647, ends.Sum(e => e.EndOffset)); // the snapshot's records, read from Kafka, not from the silos
        foreach (var end in ends)
        {
            var readers = reads.GetValueOrDefault((end.Topic, end.Partition)) ?? [];
            if (readers.Count <= 1)
            {
                // One silo read it: each record exactly once.
                Assert.True(end.EndOffset == readers.Sum(), $"{end.Topic}/{end.Partition}: {readers.Sum()} read, {end.EndOffset} in the partition");
            }
            else
            {
                // Handed over: the new owner re-reads at most what the old one held uncommitted, its cache (300 messages).
                Assert.InRange(readers.Sum(), end.EndOffset, end.EndOffset + (300 * (readers.Count - 1)));
            }
        }
    }
}
