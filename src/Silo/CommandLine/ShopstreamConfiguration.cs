using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Shopstream.Silo.CommandLine;

/// <summary>
/// The one rule for how settings layer, lowest first: <c>appsettings.json</c> and <c>appsettings.{environment}.json</c>
/// in the working directory (if any), the environment (<c>Shopstream__Key</c>), the legacy aliases
/// <c>SHOPSTREAM_POSTGRES</c> and <c>SHOPSTREAM_KAFKA</c>, then the command-line flags a command maps onto keys.
/// Every command reads its options from this configuration.
/// </summary>
public static class ShopstreamConfiguration
{
    /// <summary>Legacy environment variables and the keys they set; they beat the <c>Shopstream__</c> form, as they always did.</summary>
    private static readonly (string Variable, string Key)[] Aliases =
    [
        ("SHOPSTREAM_POSTGRES", "Shopstream:Postgres"),
        ("SHOPSTREAM_KAFKA", "Shopstream:Kafka"),
    ];

    /// <summary>The layered configuration.</summary>
    /// <param name="flags">Keys set by flags the user gave; null or blank values are left to the lower layers.</param>
    /// <param name="environmentPrefix">
    /// Read only environment variables with this prefix (stripped); tests use one of their own so that what they set
    /// reaches no other reader of the process environment.
    /// </param>
    public static IConfigurationRoot Build(IEnumerable<KeyValuePair<string, string?>> flags, string environmentPrefix = "")
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(environmentPrefix);
        var aliases = Aliases
            .Select(a => KeyValuePair.Create(a.Key, Environment.GetEnvironmentVariable(environmentPrefix + a.Variable)))
            .Where(a => !string.IsNullOrWhiteSpace(a.Value));
        return new ConfigurationBuilder()
            .SetBasePath(Directory.GetCurrentDirectory())
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{EnvironmentName()}.json", optional: true)
            .AddEnvironmentVariables(environmentPrefix)
            .AddInMemoryCollection(aliases)
            .AddInMemoryCollection(flags.Where(f => !string.IsNullOrWhiteSpace(f.Value)))
            .Build();
    }

    // As the silo's web host names it (ASPNETCORE_ beats DOTNET_), so that the file the host used to read is still read.
    private static string EnvironmentName() =>
        Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is { Length: > 0 } aspNetCore ? aspNetCore
        : Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is { Length: > 0 } dotnet ? dotnet
        : "Production";

    /// <summary>
    /// A flag's value for <see cref="Build"/> when the user gave it, else null: a flag's default must not hide what the
    /// environment or a configuration file says.
    /// </summary>
    public static KeyValuePair<string, string?> Flag<T>(ParseResult result, string flag, string key)
    {
        ArgumentNullException.ThrowIfNull(result);
        var given = result.GetResult(flag) is System.CommandLine.Parsing.OptionResult { Implicit: false };
        var value = given ? result.GetValue<T>(flag) : default;
        return KeyValuePair.Create(key, value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The options <paramref name="register"/> binds and validates, read from <paramref name="configuration"/> before any
    /// host exists (a command needs them to build its host); the host registers the same and validates them at start.
    /// </summary>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message names its key.</exception>
    /// <exception cref="InvalidOperationException">A value cannot be converted; the message names its key.</exception>
    public static T Get<T>(IConfiguration configuration, Func<IServiceCollection, OptionsBuilder<T>> register) where T : class
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(register);
        var services = new ServiceCollection().AddSingleton(configuration);
        register(services);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<T>>().Value;
    }

    /// <summary>
    /// <see cref="Get{T}"/> for a command: a bad setting is written to stderr as <c>prefix message</c> (naming its key)
    /// and null is returned, so that the command exits 2 instead of throwing.
    /// </summary>
    public static async Task<T?> GetOrReportAsync<T>(IConfiguration configuration, Func<IServiceCollection, OptionsBuilder<T>> register, string prefix) where T : class
    {
        try
        {
            return Get(configuration, register);
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync(prefix + ex.Message);
            return null;
        }
    }
}
