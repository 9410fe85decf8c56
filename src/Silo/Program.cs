using System.CommandLine;
using Shopstream.Silo.CommandLine;

// The production image's entry point: one silo, nothing else (the tools live in src/Cli, the `shopstream` executable).
var root = SiloCommand.Configure(new RootCommand("Shopstream silo: joins the cluster (membership in PostgreSQL) and consumes Kafka"));
return await root.Parse(args).InvokeAsync();
