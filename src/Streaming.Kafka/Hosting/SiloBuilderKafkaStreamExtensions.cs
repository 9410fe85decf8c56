using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Streams;
using Shopstream.Streaming.Kafka;
using Shopstream.Streaming.Kafka.Providers;

namespace Orleans.Hosting;

/// <summary>Registers the Kafka persistent stream provider on a silo.</summary>
public static class SiloBuilderKafkaStreamExtensions
{
    /// <summary>
    /// Adds a persistent stream provider named <paramref name="name"/> that reads Kafka topics: one queue per
    /// topic-partition, implicit subscriptions only, offsets committed after delivery.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">Stream provider name.</param>
    /// <param name="configure">Sets the provider's <see cref="KafkaStreamOptions"/>.</param>
    /// <param name="configureStreams">Further Orleans stream settings (pulling agent, balancer).</param>
    public static ISiloBuilder AddKafkaStreams(
        this ISiloBuilder builder,
        string name,
        Action<KafkaStreamOptions> configure,
        Action<ISiloPersistentStreamConfigurator>? configureStreams = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<KafkaStreamOptions>(name).Configure(configure);
        builder.Services.AddKeyedSingleton(name, (_, _) => new KafkaStreamStatistics());
        builder.AddPersistentStreams(name, KafkaQueueAdapterFactory.Create, streams =>
        {
            streams.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
            streams.Configure<StreamPullingAgentOptions>(o => o.Configure(agent =>
            {
                // Each receiver is polled this often; a read that finds nothing costs one lock and one check.
                agent.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(50);
                // Deliveries are retried rather than dropped: a consumer that is down must not lose messages.
                agent.MaxEventDeliveryTime = TimeSpan.FromMinutes(10);
                // Idle streams leave the agent's table quickly, so memory follows active entities.
                agent.StreamInactivityPeriod = TimeSpan.FromMinutes(2);
            }));
            configureStreams?.Invoke(streams);
        });
        return builder;
    }
}
