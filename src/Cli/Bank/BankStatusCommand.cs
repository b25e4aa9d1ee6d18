using System.CommandLine;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Transfers;

namespace Settlement.Cli.Bank;

/// <summary>`l2pay bank status`: one transfer (refreshed from the bank unless --local) with its audit trail, as one JSON object.</summary>
internal static class BankStatusCommand
{
    public static Command Create()
    {
        var operation = new Option<Guid>("--operation-id") { Description = "The transfer's operation id", Required = true };
        var local = new Option<bool>("--local") { Description = "Do not contact the bank; print what the database holds" };
        var command = new Command("status", "Show a top-up or payout, advancing it first (poll the bank, resume after a restart)");
        command.Options.Add(operation);
        command.Options.Add(local);
        BankConnectorHost.AddOptions(command);
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            var (host, transfers, _) = await BankConnectorHost.StartAsync(parse, ct).ConfigureAwait(false);
            using (host)
            {
                var id = parse.GetValue(operation);
                var op = await transfers.GetAsync(id, ct).ConfigureAwait(false);
                if (op is null)
                {
                    return CliOutput.Fail($"no transfer with operation id {id}");
                }

                if (!parse.GetValue(local) && !op.IsFinished)
                {
                    try
                    {
                        var advance = await transfers.TryAdvanceAsync(id, ct).ConfigureAwait(false);
                        if (advance.Busy)
                        {
                            return CliOutput.Fail(BankConnectorHost.BusyMessage(id, advance.BusyWith!), BankExitCodes.Busy);
                        }

                        op = advance.Operation;
                    }
                    catch (BankApiException e)
                    {
                        return CliOutput.Fail(e.Message);
                    }
                    catch (TransferConcurrencyException)
                    {
                        return CliOutput.Fail(BankConnectorHost.BusyMessage(id, "another writer"), BankExitCodes.Busy);
                    }
                }

                var history = await transfers.GetHistoryAsync(id, ct).ConfigureAwait(false);
                await host.StopAsync(ct).ConfigureAwait(false);
                return CliOutput.WriteObject(w => BankConnectorHost.WriteTransfer(w, op, history));
            }
        }));
        return command;
    }
}
