using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Policy;
using Settlement.Channels.Vouchers;
using Settlement.Cli.Payer;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;

namespace Settlement.Cli.Payee;

/// <summary>
/// The payee's on-chain verbs of <c>l2pay channel</c>: <c>dispute</c> (redeem the newest stored voucher of a closing
/// channel), <c>settle</c> (any party, after the deadline) and <c>redeem-batch</c> (the merchant's batch, most urgent
/// channels first within a gas budget). Thin: each builds the payee policy's action (src/Channels/Payee/Policy), runs it
/// and prints one JSON object. Exit codes: 0 done (or already done), 1 failure, 2 usage, 3 refused by the contract or
/// not possible now.
/// </summary>
internal static class PayeeChannelCommands
{
    private static Option<string> KeyFileOption(string who) => new("--key-file") { Description = $"{who} key file or keystore (sends the transaction)", Required = true };

    private static Option<string> PayeeDbOption() => new("--db") { Description = "The payee's database: SQLite file or PostgreSQL connection string", DefaultValueFactory = _ => "payee.db" };

    private static Option<string> RpcOption() => new("--rpc-url") { Description = "Chain node JSON-RPC URL", DefaultValueFactory = _ => "http://127.0.0.1:8545" };

    private static Option<string> ContractOption() => new("--contract") { Description = "SettlementChannels contract address", Required = true };

    private static Option<string> ChannelOption() => new("--channel") { Description = "Channel id (0x + 64 hex digits)", Required = true };

    public static Command CreateDispute()
    {
        var keyFile = KeyFileOption("The payee's");
        var db = PayeeDbOption();
        var rpc = RpcOption();
        var contract = ContractOption();
        var channelId = ChannelOption();
        var command = new Command("dispute", "Redeem the payee's newest stored voucher of a closing channel before its deadline (the challenge)")
        {
            keyFile, db, rpc, contract, channelId,
        };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            if (!TryKey(parse.GetValue(contract), parse.GetValue(channelId), out var address, out var id, out var usage))
            {
                return CliOutput.Fail(usage, CliOutput.Usage);
            }

            await using var context = await PayeeCliContext.CreateAsync(parse.GetValue(keyFile)!, new Uri(parse.GetValue(rpc)!), address, parse.GetValue(db), null, ct)
                .ConfigureAwait(false);
            var key = new ChannelKey(context.Rpc.ChainId, address, id);
            var (channel, chainTime) = await context.Reader!.ReadOneAsync(key, ct).ConfigureAwait(false);
            if (channel is null)
            {
                return CliOutput.Fail($"channel {id} is not open on chain (never opened, or settled)");
            }

            string result;
            var exit = 0;
            PolicyActionResult? executed = null;
            if (!channel.View.IsClosing)
            {
                (result, exit) = ("notClosing", PayerCommands.Refused);
            }
            else if (channel.Unredeemed.IsZero)
            {
                result = "nothingNewer";
            }
            else
            {
                executed = await context.Executor.ExecuteOneAsync(new RedeemAction(channel, PolicyReason.Dispute), ct).ConfigureAwait(false);
                (result, exit) = Map(executed, "redeemed", "alreadyRedeemed");
            }

            var after = await context.Contract.GetStateAsync(id, cancellationToken: ct).ConfigureAwait(false);
            return Write(exit, w =>
            {
                w.WriteString("channelId", id.ToString());
                w.WriteString("result", result);
                WriteExecuted(w, executed);
                w.WriteString("newestVoucher", (channel.Newest?.Cumulative ?? BigInteger.Zero).ToString(CultureInfo.InvariantCulture));
                w.WriteString("redeemedBefore", channel.View.RedeemedByPayee.ToString(CultureInfo.InvariantCulture));
                w.WriteString("redeemed", after.RedeemedByPayee.ToString(CultureInfo.InvariantCulture));
                w.WriteNumber("deadline", channel.View.CloseDeadline);
                w.WriteNumber("chainTime", chainTime);
            });
        }));
        return command;
    }

    public static Command CreateSettle()
    {
        var keyFile = KeyFileOption("Any funded");
        var rpc = RpcOption();
        var contract = ContractOption();
        var channelId = ChannelOption();
        var command = new Command("settle", "Settle a closing channel after its challenge period (payer, payee or anyone; read from the chain)")
        {
            keyFile, rpc, contract, channelId,
        };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            if (!TryKey(parse.GetValue(contract), parse.GetValue(channelId), out var address, out var id, out var usage))
            {
                return CliOutput.Fail(usage, CliOutput.Usage);
            }

            await using var context = await PayeeCliContext.CreateAsync(parse.GetValue(keyFile)!, new Uri(parse.GetValue(rpc)!), address, null, null, ct)
                .ConfigureAwait(false);
            var head = await context.Rpc.GetBlockNumberAsync(ct).ConfigureAwait(false);
            var read = await context.Chain.ReadAsync(new ChannelKey(context.Rpc.ChainId, address, id), head, ct).ConfigureAwait(false);
            if (read is null)
            {
                return CliOutput.Fail($"channel {id} was never opened in {address}");
            }

            var view = read.View;
            string result;
            var exit = 0;
            PolicyActionResult? executed = null;
            if (view.Settled)
            {
                result = "alreadySettled";
            }
            else if (!view.IsClosing)
            {
                (result, exit) = ("notClosing", PayerCommands.Refused);
            }
            else
            {
                executed = await context.Executor.ExecuteOneAsync(new SettleAction(new PolicyChannel(view, null)), ct).ConfigureAwait(false);
                (result, exit) = Map(executed, "settled", "alreadySettled");
            }

            ChannelSettledEvent? settled = null;
            if (executed is { Outcome: PolicyOutcome.Done, TransactionHashes: [var hash] }
                && await context.Rpc.GetTransactionReceiptAsync(hash, ct).ConfigureAwait(false) is { } receipt)
            {
                settled = context.Contract.DecodeEvents(receipt.Logs).OfType<ChannelSettledEvent>().FirstOrDefault();
            }

            return Write(exit, w =>
            {
                w.WriteString("channelId", id.ToString());
                w.WriteString("result", result);
                WriteExecuted(w, executed);
                w.WriteNumber("deadline", view.CloseDeadline);
                if (settled is not null)
                {
                    w.WriteString("toPayee", settled.ToPayee.ToString(CultureInfo.InvariantCulture));
                    w.WriteString("toPayer", settled.ToPayer.ToString(CultureInfo.InvariantCulture));
                }
            });
        }));
        return command;
    }

    public static Command CreateRedeemBatch()
    {
        var keyFile = KeyFileOption("The payee's");
        var db = PayeeDbOption();
        var rpc = RpcOption();
        var contract = ContractOption();
        var token = new Option<string?>("--token") { Description = "Only channels of this token (address, or 'eth'); default every token, one batch each" };
        var budget = new Option<long>("--gas-budget") { Description = "Gas one redeemBatch transaction may use", DefaultValueFactory = _ => 1_000_000 };
        var baseGas = new Option<long>("--base-gas") { Description = "Fixed gas of a batch (docs/gas.md)", DefaultValueFactory = _ => PayeePolicyOptions.DefaultBatchBaseGas };
        var itemGas = new Option<long>("--item-gas") { Description = "Gas per channel in a batch (docs/gas.md)", DefaultValueFactory = _ => PayeePolicyOptions.DefaultBatchItemGas };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only print the chosen channels and the estimated gas; send nothing" };
        var command = new Command("redeem-batch", "Redeem the payee's newest vouchers in redeemBatch transactions: nearest deadline first, within a gas budget, one batch per token")
        {
            keyFile, db, rpc, contract, token, budget, baseGas, itemGas, dryRun,
        };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            if (!Address.TryParse(parse.GetValue(contract), out var address))
            {
                return CliOutput.Fail("--contract must be a 20-byte hex address.", CliOutput.Usage);
            }

            Address? only = null;
            if (parse.GetValue(token) is { } text)
            {
                if (string.Equals(text, "eth", StringComparison.OrdinalIgnoreCase))
                {
                    only = Address.Zero;
                }
                else if (Address.TryParse(text, out var parsed))
                {
                    only = parsed;
                }
                else
                {
                    return CliOutput.Fail("--token must be a 20-byte hex address or 'eth'.", CliOutput.Usage);
                }
            }

            var policy = new PayeePolicyOptions { BatchGasBudget = parse.GetValue(budget), BatchBaseGas = parse.GetValue(baseGas), BatchItemGas = parse.GetValue(itemGas) };
            try
            {
                PayeePolicyPlanner.ThrowIfInvalid(policy);
            }
            catch (ArgumentException ex)
            {
                return CliOutput.Fail(ex.Message.Replace("Payee:Policy:BatchGasBudget", "--gas-budget", StringComparison.Ordinal)
                    .Replace(" (Parameter 'options')", "", StringComparison.Ordinal), CliOutput.Usage);
            }

            await using var context = await PayeeCliContext.CreateAsync(parse.GetValue(keyFile)!, new Uri(parse.GetValue(rpc)!), address, parse.GetValue(db), policy, ct)
                .ConfigureAwait(false);
            var run = await context.Runner!.RedeemBatchAsync(only, null, parse.GetValue(dryRun), ct).ConfigureAwait(false);
            var failed = run.Results.Any(r => r.Outcome is PolicyOutcome.Failed or PolicyOutcome.NotYet);
            return Write(failed ? PayerCommands.Refused : 0, w =>
            {
                w.WriteBoolean("dryRun", parse.GetValue(dryRun));
                w.WriteNumber("gasBudget", policy.BatchGasBudget);
                w.WriteNumber("chainTime", run.Snapshot.ChainTime);
                w.WriteStartArray("batches");
                for (var i = 0; i < run.Plan.Actions.Count; i++)
                {
                    var batch = (BatchRedeemAction)run.Plan.Actions[i];
                    w.WriteStartObject();
                    w.WriteString("token", batch.Token.ToString());
                    w.WriteNumber("estimatedGas", batch.EstimatedGas);
                    w.WriteStartArray("channels");
                    foreach (var item in batch.Items)
                    {
                        WriteItem(w, item);
                    }

                    w.WriteEndArray();
                    if (i < run.Results.Count)
                    {
                        var r = run.Results[i];
                        w.WriteString("result", JsonNamingPolicy.CamelCase.ConvertName(r.Outcome.ToString()));
                        WriteExecuted(w, r);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteStartArray("deferred");
                foreach (var item in run.Plan.Deferred)
                {
                    WriteItem(w, item);
                }

                w.WriteEndArray();
            });
        }));
        return command;
    }

    private static (string Result, int Exit) Map(PolicyActionResult executed, string done, string alreadyDone) => executed.Outcome switch
    {
        PolicyOutcome.Done => (done, 0),
        PolicyOutcome.AlreadyDone => (alreadyDone, 0),
        _ => ("refused", PayerCommands.Refused),
    };

    private static void WriteExecuted(Utf8JsonWriter w, PolicyActionResult? executed)
    {
        if (executed is null)
        {
            return;
        }

        w.WriteString("detail", executed.Detail);
        w.WriteStartArray("transactions");
        foreach (var hash in executed.TransactionHashes)
        {
            w.WriteStringValue(Hex.Encode(hash));
        }

        w.WriteEndArray();
        w.WriteNumber("gasUsed", executed.GasUsed);
    }

    private static void WriteItem(Utf8JsonWriter w, BatchItem item)
    {
        var c = item.Channel;
        w.WriteStartObject();
        w.WriteString("channelId", c.View.Key.ChannelId.ToString());
        w.WriteString("reason", JsonNamingPolicy.CamelCase.ConvertName(item.Reason.ToString()));
        w.WriteString("cumulativeAmount", (c.Newest?.Cumulative ?? BigInteger.Zero).ToString(CultureInfo.InvariantCulture));
        w.WriteString("amount", c.Unredeemed.ToString(CultureInfo.InvariantCulture));
        w.WriteNumber("closeDeadline", c.View.CloseDeadline);
        w.WriteEndObject();
    }

    private static int Write(int exit, Action<Utf8JsonWriter> properties)
    {
        CliOutput.WriteObject(properties);
        return exit;
    }

    private static bool TryKey(string? contract, string? channel, out Address contractAddress, out ChannelId id, out string usage)
    {
        id = default;
        usage = string.Empty;
        if (!Address.TryParse(contract, out contractAddress))
        {
            usage = "--contract must be a 20-byte hex address.";
            return false;
        }

        if (!ChannelId.TryParse(channel, out id))
        {
            usage = "--channel must be 32 bytes of hex.";
            return false;
        }

        return true;
    }
}
