using Confluent.Kafka;
using Shopstream.Grains.Interfaces.Wire;

namespace Shopstream.Ingest.Producing;

/// <summary>
/// Writes records to Kafka as <see cref="WireFormat"/> envelopes, idempotently and with <c>acks=all</c>.
/// Messages are handed to librdkafka without waiting for each acknowledgement (it batches them), bounded by
/// <see cref="KafkaProducerOptions.MaxInFlight"/>; a failed delivery is raised by the next
/// <see cref="ProduceAsync{TRecord}"/> or by <see cref="FlushAsync"/>, never dropped.
/// </summary>
public sealed class KafkaRecordProducer : IRecordSink, IAsyncDisposable
{
    private static readonly TimeSpan QueueFullPause = TimeSpan.FromMilliseconds(10);

    private readonly KafkaProducerOptions options;
    private readonly TimeProvider time;
    private readonly VersionClock versions;
    private readonly IProducer<string, byte[]> producer;
    private readonly SemaphoreSlim inFlight;
    private readonly Action<DeliveryReport<string, byte[]>> onDelivery;
    private readonly byte[]? sourceHeader;
    private string? firstFailure;
    private long failures;
    private long delivered;
    private int disposed;

    /// <exception cref="IngestException">The options are invalid.</exception>
    public KafkaRecordProducer(KafkaProducerOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        time = timeProvider ?? TimeProvider.System;
        versions = new VersionClock(time);
        inFlight = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        onDelivery = OnDelivery;
        sourceHeader = options.Source is { } source ? System.Text.Encoding.UTF8.GetBytes(source) : null;
        producer = new ProducerBuilder<string, byte[]>(options.ToProducerConfig())
            .SetErrorHandler((_, error) =>
            {
                // Non-fatal errors (a broker briefly unreachable) are retried by librdkafka and end up as
                // failed deliveries if they persist; a fatal one means nothing more will be delivered.
                if (error.IsFatal)
                {
                    RecordFailure($"fatal Kafka error: {error.Reason} ({error.Code})");
                }
            })
            .Build();
    }

    /// <summary>Messages acknowledged by Kafka so far.</summary>
    public long Delivered => Interlocked.Read(ref delivered);

    public string TopicFor(string streamNamespace) => options.TopicFor(streamNamespace);

    /// <summary>
    /// An admin client on this producer's connections (for readiness probes: it sees what the producer sees, without
    /// connections of its own). Dispose it before the producer.
    /// </summary>
    public IAdminClient CreateAdminClient() => new DependentAdminClientBuilder(producer.Handle).Build();

    public async ValueTask ProduceAsync<TRecord>(
        string streamNamespace,
        string key,
        TRecord record,
        CancellationToken cancellationToken = default)
        where TRecord : class
    {
        ThrowIfUnusable(key, record);
        ThrowIfDeliveryFailed();
        var topic = options.TopicFor(streamNamespace);
        await HandOverAsync(topic, Message(streamNamespace, key, record), onDelivery, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Hands one record over and completes once Kafka has acknowledged it (<c>acks=all</c>). Unlike
    /// <see cref="ProduceAsync{TRecord}"/>, a failed delivery fails this task alone and leaves the producer usable:
    /// a server producing for many requests answers each one for its own records.
    /// </summary>
    /// <exception cref="IngestException">Kafka did not acknowledge the record.</exception>
    public async Task DeliverAsync<TRecord>(
        string streamNamespace,
        string key,
        TRecord record,
        CancellationToken cancellationToken = default)
        where TRecord : class
    {
        ThrowIfUnusable(key, record);
        var topic = options.TopicFor(streamNamespace);
        var acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await HandOverAsync(topic, Message(streamNamespace, key, record), report => Settle(
            report,
            failure => acknowledged.TrySetException(new IngestException(failure)),
            () => acknowledged.TrySetResult()), cancellationToken).ConfigureAwait(false);

        // Once handed over a message cannot be called back; a caller that gives up only stops waiting.
        await acknowledged.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void ThrowIfUnusable(string key, object record)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(record);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
    }

    private Message<string, byte[]> Message<TRecord>(string streamNamespace, string key, TRecord record) => new()
    {
        Key = key,
        Value = WireFormat.Serialize(streamNamespace, record, versions.Next(), time.GetUtcNow()),
        Headers = sourceHeader is null ? null : new Headers { { KafkaProducerOptions.SourceHeaderName, sourceHeader } },
    };

    /// <summary>Takes an in-flight permit and hands the message to librdkafka; the delivery handler releases the permit.</summary>
    private async Task HandOverAsync(
        string topic,
        Message<string, byte[]> message,
        Action<DeliveryReport<string, byte[]>> deliveryHandler,
        CancellationToken cancellationToken)
    {
        var key = message.Key;
        await inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        var handedOver = false;
        try
        {
            while (!handedOver)
            {
                try
                {
                    producer.Produce(topic, message, deliveryHandler);
                    handedOver = true;
                }
                catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                {
                    // librdkafka's own queue limit (queue.buffering.max.messages) is lower than MaxInFlight:
                    // wait for deliveries to make room instead of failing.
                    await Task.Delay(QueueFullPause, time, cancellationToken).ConfigureAwait(false);
                }
                catch (ProduceException<string, byte[]> ex)
                {
                    throw new IngestException($"producing {key} to topic {topic} failed: {ex.Error.Reason} ({ex.Error.Code})", ex);
                }
                catch (KafkaException ex)
                {
                    throw new IngestException($"producing {key} to topic {topic} failed: {ex.Error.Reason} ({ex.Error.Code})", ex);
                }
            }
        }
        finally
        {
            if (!handedOver)
            {
                inFlight.Release();
            }
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        // Flush blocks until librdkafka's queue is empty; keep it off the caller's thread.
        await Task.Run(() => producer.Flush(cancellationToken), cancellationToken).ConfigureAwait(false);

        // Flush can return while the last delivery handlers are still running; they release the permits.
        while (inFlight.CurrentCount < options.MaxInFlight)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1), time, cancellationToken).ConfigureAwait(false);
        }

        ThrowIfDeliveryFailed();
    }

    /// <summary>
    /// Gives outstanding messages up to <see cref="KafkaProducerOptions.DisposeFlushTimeout"/> to be delivered.
    /// Delivery failures are reported by <see cref="FlushAsync"/>, which callers run before disposing.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await Task.Run(() => producer.Flush(options.DisposeFlushTimeout)).ConfigureAwait(false);
        }
        finally
        {
            // Disposing the producer stops its poll thread, so no delivery handler runs after the semaphore is gone.
            producer.Dispose();
            inFlight.Dispose();
        }
    }

    private void OnDelivery(DeliveryReport<string, byte[]> report) => Settle(report, RecordFailure, null);

    /// <summary>Counts a delivery or hands its failure on, and frees its in-flight slot either way.</summary>
    private void Settle(DeliveryReport<string, byte[]> report, Action<string> failed, Action? succeeded)
    {
        try
        {
            if (report.Error.IsError)
            {
                failed($"delivery of {report.Message?.Key} to topic {report.Topic} failed: {report.Error.Reason} ({report.Error.Code})");
            }
            else
            {
                Interlocked.Increment(ref delivered);
                succeeded?.Invoke();
            }
        }
        finally
        {
            inFlight.Release();
        }
    }

    private void RecordFailure(string failure)
    {
        Interlocked.CompareExchange(ref firstFailure, failure, null);
        Interlocked.Increment(ref failures);
    }

    private void ThrowIfDeliveryFailed()
    {
        var failure = Volatile.Read(ref firstFailure);
        if (failure is null)
        {
            return;
        }

        var count = Interlocked.Read(ref failures);
        throw new IngestException(count == 1 ? failure : $"{count} Kafka failures; the first: {failure}");
    }
}
