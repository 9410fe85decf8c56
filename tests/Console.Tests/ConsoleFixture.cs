using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest;
using Shopstream.Ingest.Feeds;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Producing;
using Shopstream.Ingest.RappelConso;
using Shopstream.Ingest.Sources;
using Shopstream.Silo.Hosting;
using Shopstream.Silo.Kafka;
using Shopstream.Silo.Web;
using Shopstream.Silo.Web.Console;

namespace Shopstream.Console.Tests;

/// <summary>
/// One silo with its web host bound beyond loopback (so every request needs <see cref="ApiKey"/>, as a deployed silo's),
/// a fresh database and topics on the shared broker, the bundled samples loaded through the real ingest paths
/// (samples/apis snapshot, samples/rappelconso pages, samples/clickstream events through <c>POST /events</c>), and a
/// headless Debian Chromium driven by Playwright. The rappelconso source points at a fixture API with no notices, so
/// "run now" finishes without changing the data the pages are checked against.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string ApiKey = "console-test-key";

    /// <summary>The feed the fixture configures.</summary>
    public const string Feed = "clicks";

    /// <summary>Debian's Chromium: Playwright's own browser download does not work here (scripts/chromium.sh installs it).</summary>
    public const string Chromium = "/usr/bin/chromium";

    private RappelConsoFixtureApi recallsApi = null!;
    private WebApplication silo = null!;
    private IPlaywright playwright = null!;

    public TestDatabase Database { get; private set; } = null!;

    /// <summary>The silo's services (its web host and its silo share them).</summary>
    public IServiceProvider Services => silo.Services;

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the tests write their screenshots: <c>.run/console/</c> at the repository root.</summary>
    public static string ScreenshotDirectory => Path.Combine(RepositoryRoot, ".run", "console");

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Shopstream.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new DirectoryNotFoundException("Shopstream.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Samples(params string[] parts) => Path.Combine([RepositoryRoot, "samples", .. parts]);

    /// <summary>A client that presents the key.</summary>
    public HttpClient Client(bool withKey = true)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (withKey)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        }
        return http;
    }

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        var id = Guid.NewGuid().ToString("N")[..10];
        var options = new ShopstreamOptions
        {
            Postgres = Database.ConnectionString,
            Kafka = SharedBroker.Instance.BootstrapServers,
            ConsumerGroup = "g" + id,
            ClusterId = "c" + id,
            GeoIpDatabase = Samples("geoip", "GeoLite2-City-Test.mmdb"),
        };
        options.ProductsTopic = $"t{id}.{StreamNamespaces.Products}";
        options.CartsTopic = $"t{id}.{StreamNamespaces.Carts}";
        options.UsersTopic = $"t{id}.{StreamNamespaces.Users}";
        options.RejectedTopic = $"t{id}.{StreamNamespaces.Rejected}";
        options.EventsTopic = $"t{id}.{StreamNamespaces.Events}";
        options.RecallsTopic = $"t{id}.{StreamNamespaces.Recalls}";
        foreach (var topic in options.TopicsByNamespace().Values)
        {
            SharedBroker.Instance.CreateTopic(topic, 2);
        }
        recallsApi = RappelConsoFixtureApi.Start(0);
        // A feed on a "foreign" topic of the shared broker holding one message that is not JSON: the pipeline page lists
        // it with 1 consumed, 0 produced, 1 rejected, without changing the clickstream numbers.
        var foreignTopic = $"t{id}.foreign-clicks";
        SharedBroker.Instance.CreateTopic(foreignTopic, 1);
        using (var foreign = new RawProducer(SharedBroker.Instance.BootstrapServers))
        {
            await foreign.SendRawAsync(foreignTopic, "k", "not json"u8.ToArray());
        }
        options.Feeds[Feed] = new FeedOptions { Bootstrap = SharedBroker.Instance.BootstrapServers, Topic = foreignTopic, Shape = "generic", StartPosition = "earliest" };
        silo = LocalWebSilo.Build(
            options,
            new SiloWebOptions { Bind = "0.0.0.0", Port = 0, DashboardApiKey = ApiKey },
            new Dictionary<string, string?> { ["Shopstream:Sources:rappelconso:BaseUrl"] = recallsApi.BaseUrl.AbsoluteUri });
        await silo.StartAsync();
        BaseAddress = LocalWebSilo.BaseAddress(silo);

        await LoadSamplesAsync(options);
        using var progress = new DeliveryProgress(options.Kafka, options.ConsumerGroup, options.KafkaClient, options.TopicsByNamespace().Values);
        if (!await progress.WaitUntilCaughtUpAsync(TimeSpan.FromSeconds(120), null))
        {
            throw new TimeoutException("the samples were not applied within 120 s");
        }

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    private static async Task LoadSamplesAsync(ShopstreamOptions options)
    {
        await using (var producer = new KafkaRecordProducer(options.ProducerOptions()))
        {
            await new IngestRunner(new SnapshotReader(Samples("apis")), producer).RunAsync();
            await new RappelConsoSource((_, ct) => RappelConsoSource.SnapshotPagesAsync(Samples("rappelconso"), ct)).RunAsync(null, producer, null, CancellationToken.None);
            await producer.FlushAsync();
        }
        await using var eventsProducer = new KafkaRecordProducer(options.EventsProducerOptions("console-tests", ClickEventIntake.Source));
        await using var api = await EventsApiHost.StartAsync(new EventsApiOptions { Port = 0 }, eventsProducer);
        using var http = new HttpClient { BaseAddress = EventsApiHost.BaseAddress(api) };
        foreach (var file in Directory.GetFiles(Samples("clickstream", "events"), "*.ndjson").Order(StringComparer.Ordinal))
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            using var response = await http.PostAsync(new Uri("/events", UriKind.Relative), content);
            // 400: some lines were rejected (bad records are data; they reach rejected_records); the rest is accepted.
            Assert.True(response.StatusCode is System.Net.HttpStatusCode.Accepted or System.Net.HttpStatusCode.BadRequest, $"POST /events {file}: {response.StatusCode}");
        }
        await api.StopAsync();
        await eventsProducer.FlushAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        playwright?.Dispose();
        if (silo is not null)
        {
            await silo.StopAsync();
            await silo.DisposeAsync();
        }
        if (recallsApi is not null)
        {
            await recallsApi.DisposeAsync();
        }
        if (Database is not null)
        {
            await Database.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleGroup : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console";
}
