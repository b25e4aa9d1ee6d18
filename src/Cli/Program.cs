using System.CommandLine;
using Settlement.Cli;

var root = new RootCommand("l2pay: Layer-2 micropayments over EVM payment channels and open-banking rails");
root.Subcommands.Add(DemoCommand.Create());
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
