using System.CommandLine;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Kafka.Embedded;
using Shopstream.Silo.CommandLine;

namespace Shopstream.Cli;

/// <summary>
/// <c>shopstream broker</c>: the embedded Kafka-protocol broker as its own process, for multi-process runs
/// where silos are killed and the broker must survive them.
/// </summary>
internal static class BrokerCommand
{
    public static Command Create()
    {
        var partitions = CommonOptions.Partitions();
        var brokers = new Option<int>("--brokers") { Description = "Brokers in the mock cluster", DefaultValueFactory = _ => 1 };
        brokers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 9)
            {
                r.AddError("--brokers must be between 1 and 9");
            }
        });
        var extraTopics = new Option<string[]>("--topic") { Description = "Create this topic too (repeatable)", AllowMultipleArgumentsPerToken = false };
        var command = new Command("broker", "Run the embedded Kafka-protocol broker until stopped; prints its bootstrap servers first") { partitions, brokers, extraTopics };
        command.SetAction(async (r, ct) =>
        {
            using var broker = EmbeddedKafkaBroker.Start(r.GetValue(brokers));
            foreach (var topic in StreamNamespaces.All.Concat(r.GetValue(extraTopics) ?? []))
            {
                broker.CreateTopic(topic, r.GetValue(partitions));
            }
            await Console.Out.WriteLineAsync(broker.BootstrapServers);
            await Console.Out.FlushAsync(ct);
            await Console.Error.WriteLineAsync($"embedded broker: topics {string.Join(", ", StreamNamespaces.All)} with {r.GetValue(partitions)} partitions; stop with Ctrl+C or SIGTERM");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }
            return 0;
        });
        return command;
    }
}
