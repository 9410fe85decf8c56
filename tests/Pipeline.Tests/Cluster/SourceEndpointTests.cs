using System.Net;
using System.Text.Json;
using Xunit;

namespace Shopstream.Pipeline.Tests.Cluster;

/// <summary><c>/api/sources</c> on real silo processes: what it lists, unknown names, and the same key rule as the rest of <c>/api</c>.</summary>
public sealed class SourceEndpointTests(SiloWebFixture fixture) : IClassFixture<SiloWebFixture>
{
    private static HttpClient Client(SiloProcess silo, string? apiKey)
    {
        var http = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
        return http;
    }

    [Fact]
    public async Task Sources_lists_every_source_with_its_schedule_disabled_by_default()
    {
        using var http = Client(fixture.Loopback, apiKey: null);

        using var response = await http.GetAsync("api/sources");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sources = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
            .Select(s => (s.GetProperty("name").GetString(), s.GetProperty("enabled").GetBoolean(), s.GetProperty("schedule").GetString(),
                s.GetProperty("nextDue").ValueKind, s.GetProperty("lastRun").ValueKind));
        Assert.Equal(
            [
                ("fakestore", false, "0 * * * *", JsonValueKind.Null, JsonValueKind.Null),
                ("dummyjson", false, "0 * * * *", JsonValueKind.Null, JsonValueKind.Null),
                ("rappelconso", false, "0 6 * * *", JsonValueKind.Null, JsonValueKind.Null),
            ],
            sources);
    }

    [Theory]
    [InlineData("GET", "api/sources/nope/runs", HttpStatusCode.NotFound)]
    [InlineData("POST", "api/sources/nope/run", HttpStatusCode.NotFound)]
    [InlineData("GET", "api/sources/rappelconso/runs?limit=0", HttpStatusCode.BadRequest)]
    [InlineData("GET", "api/sources/rappelconso/runs", HttpStatusCode.OK)]
    public async Task Runs_of_a_source_are_checked_before_any_grain(string method, string path, HttpStatusCode expected)
    {
        using var http = Client(fixture.Loopback, apiKey: null);

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "api/sources")]
    [InlineData("GET", "api/sources/rappelconso/runs")]
    [InlineData("POST", "api/sources/rappelconso/run")]
    public async Task Sources_beyond_loopback_answer_401_without_the_key_and_200_with_it(string method, string path)
    {
        using var anonymous = Client(fixture.Exposed, apiKey: null);
        using var keyed = Client(fixture.Exposed, apiKey: SiloWebFixture.DashboardApiKey);

        using var without = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        if (method == "GET")
        {
            using var with = await keyed.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            Assert.Equal(HttpStatusCode.OK, with.StatusCode);
        }
    }
}
