using System.CommandLine;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Transfers;

namespace Settlement.Cli.Bank;

/// <summary>`l2pay bank topup` and `l2pay bank payout`: start (or continue) a transfer and print it as one JSON object.</summary>
internal static class BankTopupCommand
{
    private static readonly Option<long> AmountOption = new("--amount") { Description = "Amount in minor units (pence)", Required = true };
    private static readonly Option<string> CurrencyOption = new("--currency") { Description = "ISO 4217 currency", DefaultValueFactory = _ => "GBP" };
    private static readonly Option<Guid?> OperationOption = new("--operation-id") { Description = "Idempotency: the same id continues the same transfer instead of starting another" };
    private static readonly Option<string?> ReferenceOption = new("--reference") { Description = "Remittance reference (≤ 35 characters)" };
    private static readonly Option<bool> WaitOption = new("--wait") { Description = "Poll until the payment is settled or rejected (up to --timeout seconds)" };
    private static readonly Option<int> TimeoutOption = new("--timeout") { Description = "Seconds to wait with --wait", DefaultValueFactory = _ => 60 };

    public static Command CreateTopup()
    {
        var from = new Option<string?>("--from") { Description = "Customer's account (UK.OBIE.SortCodeAccountNumber, 14 digits); omitted: the customer picks it at the bank" };
        var fromName = new Option<string>("--from-name") { Description = "Customer's account name", DefaultValueFactory = _ => "Customer" };
        var command = new Command("topup", "Top-up: pay from the customer's bank account into the platform account (OBIE domestic payment)");
        Add(command);
        command.Options.Add(from);
        command.Options.Add(fromName);
        command.SetAction((parse, ct) => CliOutput.RunAsync(() => RunAsync(parse, TransferKind.Topup,
            parse.GetValue(from) is { } id ? new AccountIdentification("UK.OBIE.SortCodeAccountNumber", id, parse.GetValue(fromName)!) : null, ct)));
        return command;
    }

    public static Command CreatePayout()
    {
        var to = new Option<string>("--to") { Description = "Merchant's account (UK.OBIE.SortCodeAccountNumber, 14 digits)", Required = true };
        var toName = new Option<string>("--to-name") { Description = "Merchant's account name", DefaultValueFactory = _ => "Merchant" };
        var command = new Command("payout", "Payout: pay from the platform account to a merchant's account (OBIE domestic payment)");
        Add(command);
        command.Options.Add(to);
        command.Options.Add(toName);
        command.SetAction((parse, ct) => CliOutput.RunAsync(() => RunAsync(parse, TransferKind.Payout,
            new AccountIdentification("UK.OBIE.SortCodeAccountNumber", parse.GetValue(to)!, parse.GetValue(toName)!), ct)));
        return command;
    }

    private static void Add(Command command)
    {
        command.Options.Add(AmountOption);
        command.Options.Add(CurrencyOption);
        command.Options.Add(OperationOption);
        command.Options.Add(ReferenceOption);
        command.Options.Add(WaitOption);
        command.Options.Add(TimeoutOption);
        BankConnectorHost.AddOptions(command);
    }

    private static async Task<int> RunAsync(ParseResult parse, TransferKind kind, AccountIdentification? counterparty, CancellationToken ct)
    {
        var (host, transfers, bank) = await BankConnectorHost.StartAsync(parse, ct).ConfigureAwait(false);
        using (host)
        {
            var request = new TransferRequest
            {
                OperationId = parse.GetValue(OperationOption) ?? Guid.NewGuid(),
                Bank = bank,
                AmountMinor = parse.GetValue(AmountOption),
                Currency = parse.GetValue(CurrencyOption)!,
                Counterparty = counterparty,
                Reference = parse.GetValue(ReferenceOption),
            };
            TransferOperation op;
            try
            {
                op = kind == TransferKind.Topup
                    ? await transfers.StartTopupAsync(request, ct).ConfigureAwait(false)
                    : await transfers.StartPayoutAsync(request, ct).ConfigureAwait(false);
            }
            catch (BankApiException e)
            {
                // The transfer is persisted; the same --operation-id continues it later.
                return CliOutput.Fail($"{e.Message} (operation {request.OperationId}; run again with --operation-id {request.OperationId} to continue)");
            }
            catch (System.ComponentModel.DataAnnotations.ValidationException e)
            {
                return CliOutput.Fail(e.Message, CliOutput.Usage);
            }

            if (parse.GetValue(WaitOption))
            {
                op = await BankConnectorHost.WaitAsync(transfers, op, TimeSpan.FromSeconds(parse.GetValue(TimeoutOption)), ct).ConfigureAwait(false);
            }

            await host.StopAsync(ct).ConfigureAwait(false);
            return CliOutput.WriteObject(w => BankConnectorHost.WriteTransfer(w, op));
        }
    }
}
