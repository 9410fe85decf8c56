using System.Net;
using System.Text.Json.Nodes;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.RappelConso;
using Shopstream.Ingest.Sources;
using Shopstream.Ingest.Tests.Support;
using Shopstream.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests.RappelConso;

public sealed class RappelConsoSourceTests
{
    private static readonly HttpClient Http = new();

    private static ISource Source(RappelConsoFixtureApi api) => RappelConsoSource.Create(
        new SourceOptions { BaseUrl = api.BaseUrl, Dataset = RappelConsoFixtureApi.Dataset, PageSize = 100 },
        Http,
        new IngestOptions { MaxRetries = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });

    [Fact]
    public async Task Run_produces_each_notice_keyed_by_its_number_and_moves_the_watermark_every_thousand_acknowledged()
    {
        await using var api = RappelConsoFixtureApi.Start(2_500);
        var sink = new RecordingSink();
        var progress = new CollectingProgress<SourceProgress>();

        var done = await Source(api).RunAsync(null, sink, progress.ReportAsync, CancellationToken.None);

        Assert.Equal(new SourceProgress(25, 2_500, 2_500, 0, RappelConsoFixtureApi.DateOf(2_499)), done);
        // Kafka is waited for after 1,000 and 2,000 records and at the end; each report follows its wait.
        Assert.Equal(
            [(10, RappelConsoFixtureApi.DateOf(999)), (20, RappelConsoFixtureApi.DateOf(1_999)), (25, RappelConsoFixtureApi.DateOf(2_499))],
            progress.Reports.Select(p => (p.Pages, p.Watermark!.Value)));
        Assert.Equal(3, sink.Flushes);
        Assert.Equal(Enumerable.Range(0, 2_500).Select(i => "rappelconso:" + RappelConsoFixtureApi.NumberOf(i)), sink.In(StreamNamespaces.Recalls).Select(m => m.Key));
        var decoded = WireFormat.TryDecode(StreamNamespaces.Recalls, sink.Messages[7].Value, out var error);
        Assert.Null(error);
        Assert.Equal(sink.Messages[7].Record, Assert.IsType<EntityMessage<RecallRecord>>(decoded).Record);
    }

    [Fact]
    public async Task Second_run_with_nothing_new_fetches_one_page_and_reads_only_the_boundary()
    {
        await using var api = RappelConsoFixtureApi.Start(250);
        var first = await Source(api).RunAsync(null, new RecordingSink(), null, CancellationToken.None);
        api.Requests.Clear();

        var second = await Source(api).RunAsync(first.Watermark, new RecordingSink(), null, CancellationToken.None);

        Assert.Equal(new SourceProgress(1, 1, 1, 0, RappelConsoFixtureApi.DateOf(249)), second);
        Assert.Single(api.Requests);
    }

    [Fact]
    public async Task Failed_run_keeps_the_watermark_of_acknowledged_records_and_the_next_run_resumes_there()
    {
        await using var api = RappelConsoFixtureApi.Start(2_500);
        // The sixteenth page fails for good (1 retry allowed: 2 failures); 1,000 records were acknowledged before it.
        api.FailAtOffset(1_500, HttpStatusCode.InternalServerError, times: 2);
        var sink = new RecordingSink();
        var progress = new CollectingProgress<SourceProgress>();

        await Assert.ThrowsAsync<IngestException>(() => Source(api).RunAsync(null, sink, progress.ReportAsync, CancellationToken.None));
        var kept = progress.Reports[^1];
        var resumed = await Source(api).RunAsync(kept.Watermark, sink, null, CancellationToken.None);

        Assert.Equal(new SourceProgress(10, 1_000, 1_000, 0, RappelConsoFixtureApi.DateOf(999)), kept);
        // From notice 999 (at the watermark) on: 1,501 notices in 16 pages; 999..1499 again, dropped downstream as identical.
        Assert.Equal(new SourceProgress(16, 1_501, 1_501, 0, RappelConsoFixtureApi.DateOf(2_499)), resumed);
        Assert.Equal(2_500, sink.In(StreamNamespaces.Recalls).Select(m => m.Key).Distinct().Count());
    }

    [Fact]
    public async Task Failed_delivery_does_not_move_the_watermark()
    {
        await using var api = RappelConsoFixtureApi.Start(50);
        var sink = new RecordingSink { DeliveryFailure = "broker down" };
        var progress = new CollectingProgress<SourceProgress>();

        await Assert.ThrowsAsync<IngestException>(() => Source(api).RunAsync(RappelConsoFixtureApi.DateOf(10), sink, progress.ReportAsync, CancellationToken.None));

        Assert.Empty(progress.Reports);
    }

    [Fact]
    public async Task Bad_notice_is_rejected_with_its_reason_and_the_run_goes_on()
    {
        await using var api = RappelConsoFixtureApi.Start(3);
        var noNumber = RappelConsoFixtureApi.Notice(3);
        noNumber.Remove("numero_fiche");
        var wrongType = RappelConsoFixtureApi.Notice(4);
        wrongType["numero_version"] = "deux";
        api.Add([noNumber, wrongType, RappelConsoFixtureApi.Notice(5)]);
        var sink = new RecordingSink();

        var done = await Source(api).RunAsync(null, sink, null, CancellationToken.None);

        Assert.Equal(new SourceProgress(1, 6, 4, 2, RappelConsoFixtureApi.DateOf(5)), done);
        var rejections = sink.In(StreamNamespaces.Rejected).Select(m => (RejectedRecord)m.Record).ToList();
        Assert.Equal(["rappelconso:recalls:3", "rappelconso:F-000004"], rejections.Select(r => r.Key));
        Assert.Equal(["missing notice number (numero_fiche)", "field 'numero_version' must be an integer, got the string \"deux\""], rejections.Select(r => r.Reason));
        Assert.All(rejections, r => Assert.Equal("shop.recalls", r.Topic));
    }

    [Fact]
    public async Task New_version_of_a_notice_is_produced_under_the_same_key()
    {
        await using var api = RappelConsoFixtureApi.Start(2);
        api.Add([RappelConsoFixtureApi.Notice(0, version: 2, published: RappelConsoFixtureApi.DateOf(10))]);
        var sink = new RecordingSink();

        await Source(api).RunAsync(null, sink, null, CancellationToken.None);

        var versions = sink.In(StreamNamespaces.Recalls).Where(m => m.Key == "rappelconso:F-000000").Select(m => ((RecallRecord)m.Record).NumeroVersion);
        Assert.Equal([1, 2], versions);
    }
}
