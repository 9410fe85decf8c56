using System.CommandLine;
using Shopstream.Cli;
using Spectre.Console;
using Shopstream.Silo.CommandLine;

if (Console.IsOutputRedirected)
{
    // Logs and CI have no terminal width; keep tables readable there.
    AnsiConsole.Profile.Width = 140;
}

var root = new RootCommand("Shopstream: commerce records from Kafka through Orleans grains into PostgreSQL")
{
    DemoCommand.Create(),
    IngestCommand.Create(),
    BrokerCommand.Create(),
    WaitCommand.Create(),
    BenchCommand.Create(),
    SiloCommand.Create(),
    ChaosCommand.Create(),
    IngestApiCommand.Create(),
    ReportCommand.Create(),
    LakeCommand.Create(),
    SourcesCommand.Create(),
    ReplayCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
