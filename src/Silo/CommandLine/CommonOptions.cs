using System.CommandLine;
using Microsoft.Extensions.Configuration;

namespace Shopstream.Silo.CommandLine;

/// <summary>Flags shared by several commands, with validation that names the flag.</summary>
public static class CommonOptions
{
    public static Option<string?> Postgres(bool required) => new("--postgres")
    {
        Description = "Npgsql connection string (env SHOPSTREAM_POSTGRES)" + (required ? "" : "; without it ./shopstream starts a local PostgreSQL"),
        Required = required,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SHOPSTREAM_POSTGRES"),
    };

    public static Option<string?> Kafka(string whenMissing) => new("--kafka")
    {
        Description = $"Kafka bootstrap servers (env SHOPSTREAM_KAFKA); {whenMissing}",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SHOPSTREAM_KAFKA"),
    };

    public static Option<int> Partitions()
    {
        var option = new Option<int>("--partitions")
        {
            Description = "Partitions per topic when topics are created",
            DefaultValueFactory = _ => 8,
        };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 1024)
            {
                r.AddError("--partitions must be between 1 and 1024");
            }
        });
        return option;
    }

    /// <summary>
    /// An option's value inside a command validator, or the default when the option itself failed to parse
    /// (its own error is reported; reading it must not crash the validation).
    /// </summary>
    public static T? Peek<T>(System.CommandLine.Parsing.CommandResult result, Option<T> option)
    {
        try
        {
            return result.GetValue(option);
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }

    public static Option<DirectoryInfo?> Data() => new("--data")
    {
        Description = "Snapshot directory DIR/<source>/<entity>.json (default: the bundled samples/apis)",
    };

    /// <summary>
    /// The <c>Shopstream:KafkaClient:*</c> settings (env <c>Shopstream__KafkaClient__sasl.username</c>, ...): librdkafka
    /// properties every Kafka client of a command gets.
    /// </summary>
    public static Dictionary<string, string> KafkaClientSettings(IConfiguration configuration)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in configuration.GetSection("Shopstream:KafkaClient").GetChildren())
        {
            if (setting.Value is not null)
            {
                settings[setting.Key] = setting.Value;
            }
        }
        return settings;
    }
}
