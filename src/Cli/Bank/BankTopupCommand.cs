using System.CommandLine;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Transfers;

namespace Settlement.Cli.Bank;

/// <summary>
/// `l2pay bank topup` and `l2pay bank payout`: start (or continue) a transfer and print it as one JSON
/// object. The operation id goes to stderr before any bank call. Without --operation-id, running the
/// same request again (kind, amount, currency, account, reference) continues its unfinished transfer
/// and refuses to repeat a completed one unless --new.
/// </summary>
internal static class BankTopupCommand
{
    private static readonly Option<long> AmountOption = new("--amount") { Description = "Amount in minor units (pence)", Required = true };
    private static readonly Option<string> CurrencyOption = new("--currency") { Description = "ISO 4217 currency", DefaultValueFactory = _ => "GBP" };
    private static readonly Option<Guid?> OperationOption = new("--operation-id") { Description = "Continue this transfer (the id printed first on stderr); a different request under the id is refused" };
    private static readonly Option<bool> NewOption = new("--new") { Description = "Start another transfer even if an identical request is unfinished or completed" };
    private static readonly Option<string?> ReferenceOption = new("--reference") { Description = "Remittance reference (≤ 35 characters); part of what makes two requests the same" };
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
        command.Options.Add(NewOption);
        command.Options.Add(ReferenceOption);
        command.Options.Add(WaitOption);
        command.Options.Add(TimeoutOption);
        BankConnectorHost.AddOptions(command);
    }

    private static async Task<int> RunAsync(ParseResult parse, TransferKind kind, AccountIdentification? counterparty, CancellationToken ct)
    {
        var given = parse.GetValue(OperationOption);
        var startNew = parse.GetValue(NewOption);
        if (given is not null && startNew)
        {
            return CliOutput.Fail("--new starts another transfer, --operation-id continues one: give only one of them", CliOutput.Usage);
        }

        var (host, transfers, bank) = await BankConnectorHost.StartAsync(parse, ct).ConfigureAwait(false);
        using (host)
        {
            var request = new TransferRequest
            {
                Bank = bank,
                AmountMinor = parse.GetValue(AmountOption),
                Currency = parse.GetValue(CurrencyOption)!,
                Counterparty = counterparty,
                Reference = parse.GetValue(ReferenceOption),
            };
            TransferCreation created;
            try
            {
                var id = given ?? (startNew ? Guid.NewGuid() : null);
                if (id is null)
                {
                    // Run again without --operation-id (as after a crash): continue the same request.
                    var same = await transfers.FindSameRequestAsync(kind, request, ct).ConfigureAwait(false);
                    var unfinished = same.Where(o => !o.IsFinished).ToList();
                    if (unfinished.Count > 1)
                    {
                        return CliOutput.Fail($"{unfinished.Count} unfinished transfers match this request ({string.Join(", ", unfinished.Select(o => o.Id))}); continue one with --operation-id (see 'l2pay bank list')", CliOutput.Usage);
                    }

                    if (unfinished.Count == 1)
                    {
                        id = unfinished[0].Id;
                        Console.Error.WriteLine($"continuing the unfinished transfer of this request (pass --new to start another)");
                    }
                    else if (same.LastOrDefault(o => o.State == TransferState.Completed) is { } done)
                    {
                        return CliOutput.Fail($"an identical {kind.ToString().ToLowerInvariant()} already completed (operation {done.Id}); nothing was sent. Pass --new to pay again on purpose, or a different --reference",
                            BankExitCodes.AlreadyCompleted);
                    }
                    else
                    {
                        id = Guid.NewGuid();
                    }
                }

                // Stored, then printed, before anything goes to the bank: a process killed at any later
                // point left a transfer that this id (or the same command) continues.
                created = await transfers.CreateAsync(kind, request with { OperationId = id }, ct).ConfigureAwait(false);
                if (created.Outcome != TransferCreationOutcome.Conflict)
                {
                    Console.Error.WriteLine($"operation {id} (continue with --operation-id {id})");
                    Console.Error.Flush();
                }
            }
            catch (System.ComponentModel.DataAnnotations.ValidationException e)
            {
                return CliOutput.Fail(e.Message, CliOutput.Usage);
            }

            var op = created.Operation;
            if (created.Outcome == TransferCreationOutcome.Conflict)
            {
                return CliOutput.Fail($"operation {op.Id} is a different transfer ({op.Kind}, {op.Instruction.Amount.ToObieAmount()} {op.Instruction.Amount.Currency}); nothing changed", CliOutput.Usage);
            }

            try
            {
                if (!op.IsFinished)
                {
                    var advance = await transfers.TryAdvanceAsync(op.Id, ct).ConfigureAwait(false);
                    if (advance.Busy)
                    {
                        return CliOutput.Fail(BankConnectorHost.BusyMessage(op.Id, advance.BusyWith!), BankExitCodes.Busy);
                    }

                    op = advance.Operation;
                }
            }
            catch (BankApiException e)
            {
                // The transfer is persisted; the same --operation-id (or the same command) continues it later.
                return CliOutput.Fail($"{e.Message} (operation {op.Id}; run again with --operation-id {op.Id} to continue)");
            }
            catch (TransferConcurrencyException)
            {
                return CliOutput.Fail(BankConnectorHost.BusyMessage(op.Id, "another writer"), BankExitCodes.Busy);
            }

            var wait = parse.GetValue(WaitOption);
            if (wait)
            {
                op = await BankConnectorHost.WaitAsync(transfers, op, TimeSpan.FromSeconds(parse.GetValue(TimeoutOption)), ct).ConfigureAwait(false);
            }

            await host.StopAsync(ct).ConfigureAwait(false);
            return BankConnectorHost.WriteOutcome(op, wait);
        }
    }
}
