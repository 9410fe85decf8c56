using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Shopstream.Ingest.Sources;
using Xunit;

namespace Shopstream.Ingest.Tests;

public sealed class SourceOptionsTests
{
    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSourceOptions();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Defaults_are_daily_at_six_for_rappelconso_and_hourly_for_the_catalogues_all_disabled()
    {
        using var services = Services([]);
        var options = services.GetRequiredService<IOptionsMonitor<SourceOptions>>();

        var rappelconso = options.Get("rappelconso");
        Assert.Equal(("0 6 * * *", false, "https://data.economie.gouv.fr/", "rappelconso-v2-gtin-espaces", 100),
            (rappelconso.Schedule, rappelconso.Enabled, rappelconso.BaseUrl!.AbsoluteUri, rappelconso.Dataset, rappelconso.PageSize));
        Assert.Equal(("0 * * * *", false, "https://fakestoreapi.com/"), (options.Get("fakestore").Schedule, options.Get("fakestore").Enabled, options.Get("fakestore").BaseUrl!.AbsoluteUri));
        Assert.Equal(("0 * * * *", false, "https://dummyjson.com/"), (options.Get("dummyjson").Schedule, options.Get("dummyjson").Enabled, options.Get("dummyjson").BaseUrl!.AbsoluteUri));
    }

    [Fact]
    public void Configuration_overrides_one_source_only()
    {
        using var services = Services(new()
        {
            ["Shopstream:Sources:rappelconso:Enabled"] = "true",
            ["Shopstream:Sources:rappelconso:Schedule"] = "*/5 * * * * *",
            ["Shopstream:Sources:rappelconso:Dataset"] = "rappelconso0",
        });
        var options = services.GetRequiredService<IOptionsMonitor<SourceOptions>>();

        Assert.Equal((true, "*/5 * * * * *", "rappelconso0"), (options.Get("rappelconso").Enabled, options.Get("rappelconso").Schedule, options.Get("rappelconso").Dataset));
        Assert.False(options.Get("dummyjson").Enabled);
    }

    [Theory]
    [InlineData("Schedule", "every morning", "setting Shopstream:Sources:rappelconso:Schedule is not a cron expression")]
    [InlineData("PageSize", "101", "setting Shopstream:Sources:rappelconso:PageSize must be between 1 and 100 (was 101)")]
    [InlineData("Dataset", "a/b", "setting Shopstream:Sources:rappelconso:Dataset must be a dataset id")]
    [InlineData("BaseUrl", "ftp://example.com", "setting Shopstream:Sources:rappelconso:BaseUrl must be an absolute http or https URL")]
    public void Bad_setting_fails_naming_its_key(string key, string value, string message)
    {
        using var services = Services(new() { [$"Shopstream:Sources:rappelconso:{key}"] = value });

        var failed = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<SourceOptions>>().Get("rappelconso"));

        Assert.StartsWith(message, failed.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 6 * * *", "2026-11-26T07:00:00Z", "2026-11-27T06:00:00Z")]
    [InlineData("0 6 * * *", "2026-11-26T05:59:59Z", "2026-11-26T06:00:00Z")]
    [InlineData("0 * * * *", "2026-11-26T07:00:00Z", "2026-11-26T08:00:00Z")]
    [InlineData("*/10 * * * * *", "2026-11-26T07:00:01Z", "2026-11-26T07:00:10Z")]
    public void Next_due_follows_the_cron_expression_in_utc(string schedule, string after, string due)
    {
        var options = new SourceOptions { Schedule = schedule };

        Assert.Equal(DateTimeOffset.Parse(due, System.Globalization.CultureInfo.InvariantCulture), options.NextDue(DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
