using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shopstream.Grains.Sources;
using Shopstream.Ingest;
using Shopstream.Ingest.Producing;
using Shopstream.Ingest.Sources;
using Shopstream.Projection.Sources;
using Shopstream.Silo.Hosting;

namespace Shopstream.Silo.Sources;

/// <summary>
/// Runs sources for their grains on this silo: the source made from its settings (<see cref="SourceCatalog"/>), a Kafka
/// producer of its own per run, and <see cref="SourceRunStore"/> for the run's row, heartbeat and watermark.
/// </summary>
internal sealed partial class SiloSourceHost(
    IOptionsMonitor<SourceOptions> sources,
    IOptions<SourceGrainOptions> grainOptions,
    SourceRunStore store,
    ShopstreamOptions shopstream,
    ILogger<SiloSourceHost> logger) : ISourceHost, IDisposable
{
    private readonly HttpClient http = new();

    // A stopping silo stops its runs: their rows end failed (or, if the silo dies first, stay running without a
    // heartbeat), and the source's reminder resumes them on another silo from the watermark.
    private readonly CancellationTokenSource stopping = new();

    public bool Knows(string source) => SourceCatalog.Find(source) is not null;

    public bool IsEnabled(string source) => sources.Get(source).Enabled;

    public string ScheduleOf(string source) => sources.Get(source).Schedule;

    public DateTimeOffset? NextDue(string source, DateTimeOffset after) => sources.Get(source).NextDue(after);

    public async Task<Guid?> RunningAsync(string source) => (await store.RunningAsync(source))?.RunId;

    public Task<bool> InterruptedAsync(string source) => store.InterruptedAsync(source);

    public async Task<SourceRunHandle?> TryStartAsync(string source, string trigger)
    {
        var definition = SourceCatalog.Find(source) ?? throw new ArgumentOutOfRangeException(nameof(source), source, "unknown source");
        var run = definition.Create(sources.Get(source), http, new IngestOptions());
        var from = run.HasWatermark ? await store.WatermarkAsync(source) : null;
        if (await store.TryStartAsync(source, trigger, from, grainOptions.Value.AbandonedAfter) is not { } runId)
        {
            return null;
        }
        LogStarted(source, runId, trigger, from);
        // Off the grain's scheduler: a run is I/O for minutes and must not hold the grain's turn.
        return new SourceRunHandle(runId, Task.Run(() => RunAsync(run, runId, from)));
    }

    private async Task RunAsync(ISource source, Guid runId, DateTimeOffset? from)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        var heartbeat = BeatAsync(runId, stop.Token);
        string? error = null;
        try
        {
            await using var producer = new KafkaRecordProducer(ProducerOptions());
            var done = await source.RunAsync(from, producer, p => store.ProgressAsync(
                runId, source.Name, new SourceRunCounts(p.Pages, p.Read, p.Produced, p.Rejected, p.Watermark)), stopping.Token);
            LogFinished(source.Name, runId, done.Pages, done.Read, done.Produced, done.Rejected);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            error = SourceRunStore.SiloStoppedError;
        }
        catch (Exception ex) when (ex is IngestException or HttpRequestException or Npgsql.NpgsqlException or InvalidOperationException or ArgumentException)
        {
            error = ex.Message;
            LogFailed(source.Name, runId, ex);
        }
        finally
        {
            await stop.CancelAsync();
            await heartbeat;
            await RecordEndAsync(runId, error);
        }
    }

    /// <summary>Ends the run's row; on a silo going down PostgreSQL may be gone already, and the row then ends as abandoned.</summary>
    private async Task RecordEndAsync(Guid runId, string? error)
    {
        try
        {
            await store.FinishAsync(runId, error, CancellationToken.None);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or ObjectDisposedException)
        {
            LogEndNotRecorded(runId, ex);
        }
    }

    /// <summary>Tells the cluster the run is alive until it ends; a silo that dies stops beating, which frees the source.</summary>
    private async Task BeatAsync(Guid runId, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(grainOptions.Value.HeartbeatPeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await store.HeartbeatAsync(runId, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or ObjectDisposedException)
        {
            LogHeartbeatFailed(runId, ex);
        }
    }

    private KafkaProducerOptions ProducerOptions() => shopstream.ProducerOptions("shopstream-sources");

    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
        http.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {Source}: run {RunId} started ({Trigger}) from watermark {Watermark}")]
    private partial void LogStarted(string source, Guid runId, string trigger, DateTimeOffset? watermark);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {Source}: run {RunId} succeeded: {Pages} pages, {Read} read, {Produced} produced, {Rejected} rejected")]
    private partial void LogFinished(string source, Guid runId, int pages, long read, long produced, long rejected);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {Source}: run {RunId} failed; the next run starts from the watermark it reached")]
    private partial void LogFailed(string source, Guid runId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: its end could not be recorded; it will be closed as abandoned")]
    private partial void LogEndNotRecorded(Guid runId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: heartbeat failed; the run goes on, another silo may take it for dead")]
    private partial void LogHeartbeatFailed(Guid runId, Exception exception);
}
