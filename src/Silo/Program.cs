using System.CommandLine;
using Shopstream.Silo.Cli;

var root = new RootCommand("Shopstream: commerce records from Kafka through Orleans grains into PostgreSQL")
{
    DemoCommand.Create(),
    IngestCommand.Create(),
    BrokerCommand.Create(),
    WaitCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
