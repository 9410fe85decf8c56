using System.Text.Json;
using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Events;
using Shopstream.Ingest.Normalization;
using Shopstream.Ingest.Producing;
using Shopstream.Ingest.Rejection;

namespace Shopstream.Ingest.Http;

/// <summary>
/// Normalizes the events of one request and delivers them: accepted events to the events topic keyed by session key,
/// rejected ones to the rejected topic (stage <c>ingest</c>), both awaited until Kafka acknowledged them, so that an
/// answer never claims more than Kafka holds. Nothing a client sends makes it throw: an event that is too large, not
/// UTF-8, not JSON or not storable is one rejection among the others.
/// </summary>
public sealed class ClickEventIntake
{
    /// <summary>The source name rejections of this API are recorded under.</summary>
    public const string Source = "events-api";

    private const string Entity = "event";

    private readonly KafkaRecordProducer producer;
    private readonly ClickEventNormalizer normalizer;
    private readonly string source;

    /// <param name="producer">Our cluster's producer.</param>
    /// <param name="normalizer">The normalizer; the default one when null.</param>
    /// <param name="source">The source rejections are recorded under: <see cref="Source"/>, or a feed's <c>feed-&lt;name&gt;</c>.</param>
    public ClickEventIntake(KafkaRecordProducer producer, ClickEventNormalizer? normalizer = null, string source = Source)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        this.producer = producer;
        this.normalizer = normalizer ?? new ClickEventNormalizer();
        this.source = source;
    }

    /// <summary>Normalizes and delivers <paramref name="events"/>; returns what was accepted and what was not, and why.</summary>
    /// <exception cref="IngestException">Kafka did not acknowledge an event or a rejection.</exception>
    public async Task<EventsResponse> AcceptAsync(IReadOnlyList<RawEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var deliveries = new List<Task>(events.Count);
        var rejected = new List<EventRejection>();
        var accepted = 0;
        foreach (var raw in events)
        {
            if (raw.Error is not null)
            {
                rejected.Add(new EventRejection(raw.Index, [raw.Error]));
                deliveries.Add(DeliverRejectionAsync(raw.Text ?? "", $"#{raw.Index}", raw.Error, cancellationToken));
                continue;
            }

            var result = normalizer.Normalize(raw.Element);
            if (result.IsAccepted)
            {
                accepted++;
                deliveries.Add(producer.DeliverAsync(StreamNamespaces.Events, result.Event.SessionKey, result.Event, cancellationToken));
                continue;
            }

            rejected.Add(new EventRejection(raw.Index, result.Errors));
            deliveries.Add(DeliverRejectionAsync(
                PayloadOf(raw.Element), result.EventId ?? $"#{raw.Index}", string.Join("; ", result.Errors), cancellationToken));
        }

        await Task.WhenAll(deliveries).ConfigureAwait(false);
        return new EventsResponse(accepted, rejected);
    }

    private Task DeliverRejectionAsync(string payload, string id, string reason, CancellationToken cancellationToken)
    {
        var rejection = new RejectedRecord
        {
            Stage = RejectedPayload.IngestStage,
            Topic = producer.TopicFor(StreamNamespaces.Events),
            Key = new EntityKey(source, id).ToString(),
            Payload = payload,
            Reason = reason,
        };
        var fingerprint = RejectedPayload.Fingerprint(RejectedPayload.IngestStage, source, Entity, payload);
        return producer.DeliverAsync(StreamNamespaces.Rejected, fingerprint, rejection, cancellationToken);
    }

    /// <summary>
    /// The event as stored with its rejection: no e-mail address (only accepted events keep its hash), no secrets. One
    /// whose strings cannot be read or stored (NUL, unpaired surrogate) is kept as a masked excerpt of its JSON text.
    /// </summary>
    private static string PayloadOf(JsonElement raw)
    {
        if (StorableJson.ProblemsIn(raw).Count > 0)
        {
            return RejectedPayload.Excerpt(raw.GetRawText());
        }

        var withoutEmail = EmailRedaction.For(raw).ValueText(raw);
        using var document = JsonDocument.Parse(withoutEmail);
        return RejectedPayload.Redact(document.RootElement);
    }
}
