using System.CommandLine;
using Settlement.Cli;
using Settlement.Cli.Bank;
using Settlement.Cli.Eth;
using Settlement.Cli.Payee;
using Settlement.Cli.Settle;

var root = new RootCommand("l2pay: Layer-2 micropayments over EVM payment channels and open-banking rails");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(BankCommand.Create());
root.Subcommands.Add(KeysCommand.Create());
root.Subcommands.Add(EthCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(ChannelCommand.Create());
root.Subcommands.Add(SettleCommand.Create());
// Ctrl+C / SIGTERM cancel the verb's token; a service then gets this long to stop gracefully (the settlement
// service's --shutdown-timeout stays below it) before the process exits whatever is still running.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
return await root.Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
