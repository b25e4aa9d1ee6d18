using System.CommandLine;

namespace Settlement.Cli.Bank;

/// <summary>`l2pay bank list`: the unfinished transfers in the state directory (all with --all), as one JSON object; never contacts the bank.</summary>
internal static class BankListCommand
{
    public static Command Create()
    {
        var all = new Option<bool>("--all") { Description = "Include finished transfers (Completed, Rejected, Failed)" };
        var command = new Command("list", "List unfinished top-ups and payouts (with --all: every transfer), oldest first, from the local database");
        command.Options.Add(all);
        BankConnectorHost.AddOptions(command);
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            var (host, transfers, _) = await BankConnectorHost.StartAsync(parse, ct).ConfigureAwait(false);
            using (host)
            {
                var list = await transfers.ListAsync(parse.GetValue(all), ct).ConfigureAwait(false);
                await host.StopAsync(ct).ConfigureAwait(false);
                return CliOutput.WriteObject(w =>
                {
                    w.WriteStartArray("transfers");
                    foreach (var op in list)
                    {
                        w.WriteStartObject();
                        BankConnectorHost.WriteTransfer(w, op);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
            }
        }));
        return command;
    }
}
