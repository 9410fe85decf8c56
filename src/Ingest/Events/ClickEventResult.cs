using System.Diagnostics.CodeAnalysis;
using Shopstream.Grains.Interfaces.Records;

namespace Shopstream.Ingest.Events;

/// <summary>Either a normalized <see cref="ClickEvent"/> or every problem that kept the raw event from being one.</summary>
public sealed class ClickEventResult
{
    private ClickEventResult(ClickEventShape shape, ClickEvent? clickEvent, string? eventId, IReadOnlyList<string> errors)
    {
        Shape = shape;
        Event = clickEvent;
        EventId = eventId;
        Errors = errors;
    }

    /// <summary>The shape the raw event was read as; <see cref="ClickEventShape.Unknown"/> when none fit.</summary>
    public ClickEventShape Shape { get; }

    public ClickEvent? Event { get; }

    /// <summary>
    /// The event id whenever it could be read, also for an event rejected for another field,
    /// so that the rejection can be keyed by it.
    /// </summary>
    public string? EventId { get; }

    /// <summary>Each problem as <c>"field: what is wrong"</c>; empty when accepted.</summary>
    public IReadOnlyList<string> Errors { get; }

    [MemberNotNullWhen(true, nameof(Event), nameof(EventId))]
    public bool IsAccepted => Event is not null;

    internal static ClickEventResult Accepted(ClickEventShape shape, ClickEvent clickEvent) =>
        new(shape, clickEvent, clickEvent.EventId, []);

    internal static ClickEventResult Rejected(ClickEventShape shape, string? eventId, IReadOnlyList<string> errors) =>
        new(shape, null, eventId, errors);
}
