using Shopstream.Kafka.Embedded;

namespace Shopstream.Tests.Support;

/// <summary>One embedded Kafka-protocol broker for the whole test run; tests isolate by topic names.</summary>
public static class SharedBroker
{
    private static readonly Lazy<EmbeddedKafkaBroker> Broker = new(() => EmbeddedKafkaBroker.Start());

    public static EmbeddedKafkaBroker Instance => Broker.Value;
}
