using Microsoft.Extensions.Configuration;
using Shopstream.Ingest;
using Shopstream.Ingest.Producing;
using Shopstream.Silo.CommandLine;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Cli;

/// <summary>
/// <c>Shopstream:KafkaClient:*</c> for a command, read from the layered configuration and checked by librdkafka before
/// the command does anything, so that a bad setting ends it with one line naming the setting and exit code 2.
/// </summary>
internal static class KafkaClientCheck
{
    /// <summary>The settings, or null once the problem was written to stderr as <c>command: setting ...</c>.</summary>
    public static async Task<Dictionary<string, string>?> ReadOrReportAsync(string command, IConfiguration? configuration = null)
    {
        var settings = CommonOptions.KafkaClientSettings(configuration ?? ShopstreamConfiguration.Build([]));
        LibrdkafkaLocator.EnsureLoaded();
        try
        {
            KafkaClientSettings.Check(settings, "Shopstream:KafkaClient");
            return settings;
        }
        catch (IngestException ex)
        {
            await Console.Error.WriteLineAsync($"{command}: {ex.Message}");
            return null;
        }
    }
}
