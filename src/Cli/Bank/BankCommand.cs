using System.CommandLine;

namespace Settlement.Cli.Bank;

/// <summary>`l2pay bank …`: the open-banking verbs. Each subcommand lives in its own file in this folder.</summary>
internal static class BankCommand
{
    public static Command Create()
    {
        var command = new Command("bank", "Open-banking rails: the local bank sandbox, top-ups, payouts, status, list");
        command.Subcommands.Add(BankSandboxCommand.Create());
        command.Subcommands.Add(BankTopupCommand.CreateTopup());
        command.Subcommands.Add(BankTopupCommand.CreatePayout());
        command.Subcommands.Add(BankStatusCommand.Create());
        command.Subcommands.Add(BankListCommand.Create());
        return command;
    }
}
