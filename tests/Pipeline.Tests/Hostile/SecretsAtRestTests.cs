using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Shopstream.Ingest;
using Shopstream.Ingest.Sources;
using Shopstream.Pipeline.Tests.Clickstream;
using static Shopstream.Pipeline.Tests.Clickstream.ClickstreamEvents;

namespace Shopstream.Pipeline.Tests.Hostile;

/// <summary>
/// Credentials, payment data and personal data a client or a source sends are not kept beyond what a table is for:
/// each secret-bearing path plants unique values, then the whole database is dumped with <c>pg_dump</c> and searched.
/// </summary>
[Collection(HostileInputGroup.Name)]
public sealed class SecretsAtRestTests(HostileInputFixture fixture)
{
    private static readonly DateTimeOffset At = new(2024, 5, 1, 10, 15, 30, TimeSpan.Zero);

    private static string Planted(string what) => $"planted-{what}-{Guid.NewGuid():N}";

    [Fact]
    public async Task Unparsable_body_keeps_no_password_and_no_email()
    {
        var (password, email, marker) = (Planted("pw"), Planted("mail") + "@example.org", Planted("marker"));
        var (status, _) = await fixture.PostAsync($$"""{"event_id": "{{marker}}", "email": "{{email}}", "password": "{{password}}", oops""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        await fixture.Pipeline.WaitCaughtUpAsync();
        await AssertNotInDatabaseAsync(password, email);
        Assert.True(await fixture.ScalarAsync($"SELECT count(*) FROM rejected_records WHERE stage = 'ingest' AND payload LIKE '%{marker}%'") == 1,
            "the body is kept as a redacted excerpt");
    }

    [Fact]
    public async Task Unparsable_NDJSON_line_keeps_no_password()
    {
        var (password, token) = (Planted("pw"), Planted("token"));
        var good = Generic(Planted("id"), "product_view", Planted("session"), Users[0], "1", At);
        var body = good.ToJsonString() + "\n" + $$"""{"passwd": "{{password}}", "auth_token": "{{token}}", broken""" + "\n";
        var (status, _) = await fixture.PostAsync(body, "application/x-ndjson");

        Assert.Equal(HttpStatusCode.Accepted, status);
        await fixture.Pipeline.WaitCaughtUpAsync();
        await AssertNotInDatabaseAsync(password, token);
    }

    [Fact]
    public async Task Accepted_event_keeps_no_credential_or_payment_fields_in_extras()
    {
        var planted = new[] { Planted("pw"), Planted("card"), Planted("key"), Planted("cvv"), Planted("iban"), Planted("secret"), Planted("ssn") };
        var id = Planted("id");
        var e = Generic(id, "product_view", Planted("session"), Users[0], "1", At);
        e["password"] = planted[0];
        e["card_number"] = planted[1];
        e["api_key"] = planted[2];
        e["payment"] = new JsonObject { ["cvv"] = planted[3], ["IBAN"] = planted[4], ["note"] = "kept" };
        e["clientSecret"] = planted[5];
        e["SSN"] = planted[6];
        var (status, _) = await fixture.PostAsync(e.ToJsonString());

        Assert.Equal(HttpStatusCode.Accepted, status);
        await fixture.Pipeline.WaitCaughtUpAsync();
        Assert.Equal(1, await fixture.ScalarAsync($"SELECT count(*) FROM fact_events WHERE event_id = '{id}'"));
        await AssertNotInDatabaseAsync(planted);
    }

    [Fact]
    public async Task Rejected_event_keeps_no_credential_and_no_email()
    {
        var (password, card, email) = (Planted("pw"), Planted("card"), Planted("mail") + "@example.org");
        var id = Planted("id");
        var e = Generic(id, "product_view", Planted("session"), Users[0], "1", At);
        e.Remove("timestamp"); // rejected: timestamp required
        e["email_address"] = email;
        e["password"] = password;
        e["credit_card"] = card;
        var (status, _) = await fixture.PostAsync(e.ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, status);
        await fixture.Pipeline.WaitCaughtUpAsync();
        Assert.True(await fixture.ScalarAsync($"SELECT count(*) FROM rejected_records WHERE key = 'events-api:{id}'") == 1, "the rejection is kept");
        await AssertNotInDatabaseAsync(password, card, email);
    }

    [Fact]
    public async Task Rejected_source_user_keeps_only_what_identifies_it_and_the_reason()
    {
        var planted = new[]
        {
            Planted("mail") + "@example.org", Planted("birth"), Planted("ip"), Planted("mac"), Planted("blood"), Planted("pw"),
            Planted("card"), Planted("iban"), Planted("ssn"), Planted("phone"), Planted("street"),
        };
        var directory = Directory.CreateTempSubdirectory("shopstream-secrets-");
        try
        {
            Directory.CreateDirectory(Path.Combine(directory.FullName, SourceNames.DummyJson));
            var user = new JsonObject
            {
                ["id"] = 987_654,
                ["firstName"] = "Ada",
                ["lastName"] = "Planted",
                ["username"] = 42, // not text: the user is rejected
                ["email"] = planted[0],
                ["birthDate"] = planted[1],
                ["ip"] = planted[2],
                ["macAddress"] = planted[3],
                ["bloodGroup"] = planted[4],
                ["password"] = planted[5],
                ["bank"] = new JsonObject { ["cardNumber"] = planted[6], ["iban"] = planted[7] },
                ["ssn"] = planted[8],
                ["phone"] = planted[9],
                ["address"] = new JsonObject { ["address"] = planted[10], ["city"] = "Paris", ["coordinates"] = new JsonObject { ["lat"] = 48.123456789, ["lng"] = 2.987654321 } },
            };
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, SourceNames.DummyJson, "users.json"), new JsonArray(user).ToJsonString());
            var counts = await new IngestRunner(new SnapshotReader(directory.FullName), fixture.Producer).RunAsync([new Feed(SourceNames.DummyJson, "users")]);
            Assert.Equal(1, counts.Sum(c => c.Rejected));
            await fixture.Pipeline.WaitCaughtUpAsync();

            Assert.True(await fixture.ScalarAsync("SELECT count(*) FROM rejected_records WHERE key LIKE '%987654%'") == 1, "the rejection is kept, with the user's id");
            await AssertNotInDatabaseAsync([.. planted, "48.123456789", "2.987654321"]);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Dumps the whole database as SQL and fails if any of the values occurs in it.</summary>
    private async Task AssertNotInDatabaseAsync(params string[] values)
    {
        var dump = await DumpAsync(fixture.Pipeline.Database.ConnectionString);
        Assert.Contains("rejected_records", dump, StringComparison.Ordinal); // the dump is real and whole
        foreach (var value in values)
        {
            Assert.False(dump.Contains(value, StringComparison.OrdinalIgnoreCase), $"'{value}' is stored in the database");
        }
    }

    private static async Task<string> DumpAsync(string connectionString)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString);
        var pgDump = Directory.GetFiles("/usr/lib/postgresql", "pg_dump", SearchOption.AllDirectories).OrderDescending().FirstOrDefault() ?? "pg_dump";
        var start = new ProcessStartInfo(pgDump)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "-h", cs.Host!, "-p", cs.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", cs.Username!, "-d", cs.Database! },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, "pg_dump failed: " + await error);
        return await output;
    }
}
