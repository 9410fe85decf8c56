using System.CommandLine;
using System.Globalization;
using Npgsql;
using Spectre.Console;
using Shopstream.Silo.CommandLine;

namespace Shopstream.Cli;

/// <summary><c>shopstream report NAME [--date yyyy-MM-dd]</c>: one clickstream report as a table.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "Report: " + string.Join(", ", ClickstreamReports.Names) };
        name.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (!ClickstreamReports.Exists(value))
            {
                r.AddError($"unknown report '{value}'; NAME must be one of: {string.Join(", ", ClickstreamReports.Names)}");
            }
        });
        var postgres = CommonOptions.Postgres(required: false);
        var date = new Option<string?>("--date") { Description = "UTC day yyyy-MM-dd (default: the latest day with product views)" };
        date.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } d && !TryParseDate(d, out _))
            {
                r.AddError($"--date must be a date as yyyy-MM-dd, e.g. 2024-05-01 (was '{d}')");
            }
        });
        var command = new Command("report", "Print a clickstream report: views per product, country, referrer, store, hour") { name, postgres, date };
        command.SetAction(async (r, ct) =>
        {
            var pg = r.GetValue(postgres);
            if (string.IsNullOrWhiteSpace(pg))
            {
                await Console.Error.WriteLineAsync("--postgres (or SHOPSTREAM_POSTGRES) is required; ./shopstream report starts the local PostgreSQL and passes it");
                return 2;
            }
            await using var db = NpgsqlDataSource.Create(pg);
            DateOnly day;
            if (r.GetValue(date) is { } text && TryParseDate(text, out var given))
            {
                day = given;
            }
            else
            {
                var dates = await ClickstreamReports.DatesWithViewsAsync(db, ct);
                day = dates.Count > 0 ? dates[^1] : DateOnly.FromDateTime(DateTime.UtcNow);
            }
            AnsiConsole.Write(await ClickstreamReports.TableAsync(db, r.GetValue(name)!, day));
            return 0;
        });
        return command;
    }

    private static bool TryParseDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
