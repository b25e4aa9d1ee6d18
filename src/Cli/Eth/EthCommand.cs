using System.CommandLine;

namespace Settlement.Cli.Eth;

/// <summary>
/// <c>l2pay eth …</c>: offline Ethereum signing verbs. Each subcommand lives in its own file in this
/// folder and is added here.
/// </summary>
internal static class EthCommand
{
    public static Command Create()
    {
        var command = new Command("eth", "Ethereum: sign and recover EIP-712 typed data, sign transactions");
        command.Subcommands.Add(SignTypedDataCommand.Create());
        command.Subcommands.Add(RecoverTypedDataCommand.Create());
        command.Subcommands.Add(SignTxCommand.Create());
        return command;
    }
}
