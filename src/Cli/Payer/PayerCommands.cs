using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Closing;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Cli.Payer;

/// <summary>
/// The payer's verbs of <c>l2pay channel</c>: <c>open</c>, <c>pay</c>, <c>close</c> and <c>receipts</c> (and the payer's
/// view in <c>status --payer-db</c>). Thin: each parses options, calls the payer SDK (<see cref="PayerClient"/>) and
/// prints one JSON object. Exit codes: 0 done, 1 failure, 2 usage, 3 refused by the payer, 4 refused by the payee.
/// </summary>
internal static class PayerCommands
{
    public const int Refused = 3;
    public const int Rejected = 4;

    private static Option<string> KeyFileOption() => new("--key-file") { Description = "The payer's key file or keystore", Required = true };

    private static Option<string> PayerDbOption() => new("--payer-db") { Description = "The payer's SQLite file (created 0600)", DefaultValueFactory = _ => "payer.db" };

    private static Option<string> RpcOption() => new("--rpc-url") { Description = "Chain node JSON-RPC URL", DefaultValueFactory = _ => "http://127.0.0.1:8545" };

    private static Option<string> ContractOption() => new("--contract") { Description = "SettlementChannels contract address", Required = true };

    private static Option<string> ChannelOption() => new("--channel") { Description = "Channel id (0x + 64 hex digits)", Required = true };

    public static Command CreateOpen()
    {
        var keyFile = KeyFileOption();
        var db = PayerDbOption();
        var rpc = RpcOption();
        var contract = ContractOption();
        var payee = new Option<string>("--payee") { Description = "The payee's address", Required = true };
        var token = new Option<string>("--token") { Description = "ERC-20 token address, or 'eth'", Required = true };
        var deposit = new Option<string>("--deposit") { Description = "Deposit in base units (wei for ETH)", Required = true };
        var period = new Option<uint>("--challenge-period") { Description = "Challenge period in seconds", DefaultValueFactory = _ => 3600 };
        var payeeUrl = new Option<string?>("--payee-url") { Description = "The payee service (http://host:port/ or ws://host:port/v1/stream)" };
        var command = new Command("open", "Open a channel from the payer's key (ERC-20 approve + open, or ETH) and keep it in the payer's file")
        {
            keyFile, db, rpc, contract, payee, token, deposit, period, payeeUrl,
        };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            if (!Address.TryParse(parse.GetValue(contract), out var contractAddress) || !Address.TryParse(parse.GetValue(payee), out var payeeAddress))
            {
                return CliOutput.Fail("--contract and --payee must be 20-byte hex addresses.", CliOutput.Usage);
            }

            var tokenText = parse.GetValue(token)!;
            Address tokenAddress;
            if (string.Equals(tokenText, "eth", StringComparison.OrdinalIgnoreCase))
            {
                tokenAddress = Address.Zero;
            }
            else if (!Address.TryParse(tokenText, out tokenAddress))
            {
                return CliOutput.Fail("--token must be a 20-byte hex address or 'eth'.", CliOutput.Usage);
            }

            if (!TryAmount(parse.GetValue(deposit), out var amount) || amount.IsZero)
            {
                return CliOutput.Fail("--deposit must be a positive integer in base units.", CliOutput.Usage);
            }

            await using var context = await PayerCliContext.CreateAsync(parse.GetValue(keyFile)!, new Uri(parse.GetValue(rpc)!), contractAddress, parse.GetValue(db)!, null, ct)
                .ConfigureAwait(false);
            var request = new OpenChannelRequest(payeeAddress, tokenAddress, amount)
            {
                ChallengePeriodSeconds = parse.GetValue(period),
                PayeeStreamUrl = parse.GetValue(payeeUrl) is { } url ? PayerCliContext.StreamUrl(url) : null,
            };
            var channel = await context.Client.OpenAsync(request, ct).ConfigureAwait(false);
            return CliOutput.WriteObject(w => WriteChannel(w, channel));
        }));
        return command;
    }

    public static Command CreatePay()
    {
        var keyFile = KeyFileOption();
        var db = PayerDbOption();
        var rpc = RpcOption();
        var contract = ContractOption();
        var channelId = ChannelOption();
        var amount = new Option<string>("--amount") { Description = "How much more to pay, base units", Required = true };
        var wait = new Option<int>("--wait") { Description = "Seconds to wait for the payee's acknowledgement when it is unreachable (0: queue and return)", DefaultValueFactory = _ => 0 };
        var command = new Command("pay", "Sign the next cumulative voucher (stored before it is sent) and deliver it to the payee")
        {
            keyFile, db, rpc, contract, channelId, amount, wait,
        };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            if (!TryKey(parse.GetValue(contract), parse.GetValue(channelId), out var contractAddress, out var id, out var usage))
            {
                return CliOutput.Fail(usage, CliOutput.Usage);
            }

            if (!TryAmount(parse.GetValue(amount), out var increment))
            {
                return CliOutput.Fail("--amount must be a non-negative integer in base units.", CliOutput.Usage);
            }

            var stored = await FindAsync(parse.GetValue(db)!, contractAddress, id, ct).ConfigureAwait(false);
            if (stored is null)
            {
                return CliOutput.Fail($"the payer's file holds no channel {id} in {contractAddress}");
            }

            await using var context = await PayerCliContext.CreateAsync(
                parse.GetValue(keyFile)!, new Uri(parse.GetValue(rpc)!), contractAddress, parse.GetValue(db)!, stored.Record.Key.ChainId, ct).ConfigureAwait(false);
            var channel = (await context.Client.GetChannelAsync(id, ct).ConfigureAwait(false))!;
            var outcome = await channel.PayAsync(increment, ct).ConfigureAwait(false);
            if (outcome is PaymentQueued && parse.GetValue(wait) > 0)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(parse.GetValue(wait)));
                try
                {
                    await channel.FlushAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // Still queued: the voucher is on disk and the next pay sends the newest.
                }
            }

            if (outcome is PaymentDelivered)
            {
                using var receiptTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                receiptTimeout.CancelAfter(TimeSpan.FromSeconds(5));
                await channel.RequestReceiptAsync(receiptTimeout.Token).ConfigureAwait(false);
            }

            CliOutput.WriteObject(w =>
            {
                w.WriteString("channelId", id.ToString());
                w.WriteString("outcome", outcome switch
                {
                    PaymentDelivered => "delivered",
                    PaymentQueued => channel.Exposure.IsZero ? "delivered" : "queued",
                    PaymentRejected => "rejected",
                    PaymentRefused => "refused",
                    _ => "signed",
                });
                w.WriteString("amount", increment.ToString(CultureInfo.InvariantCulture));
                switch (outcome)
                {
                    case PaymentRefused refused:
                        w.WriteString("reason", JsonNamingPolicy.CamelCase.ConvertName(refused.Reason.ToString()));
                        break;
                    case PaymentRejected rejected:
                        w.WriteString("rejectCode", JsonNamingPolicy.CamelCase.ConvertName(rejected.Ack.RejectCode?.ToString() ?? "unknown"));
                        break;
                }

                WriteState(w, channel);
            });
            return outcome switch
            {
                PaymentRefused => Refused,
                PaymentRejected => Rejected,
                _ => 0,
            };
        }));
        return command;
    }

    // A proposed close agreement stays valid on chain for an hour after the newest block (docs/protocol.md,
    // "Close agreements").
    private static async Task<ulong> ProposedCloseDeadlineAsync(PayerCliContext context, CancellationToken ct)
    {
        var head = await context.Rpc.GetBlockByNumberAsync(BlockParameter.Latest, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The node returned no latest block.");
        return head.Timestamp + 3600;
    }

    public static Command CreateClose()
    {
        var keyFile = KeyFileOption();
        var db = PayerDbOption();
        var rpc = RpcOption();
        var contract = ContractOption();
        var channelId = ChannelOption();
        var payeeSignature = new Option<string?>("--payee-signature") { Description = "The payee's signature over the final state (0x r‖s‖v): closes cooperatively at once" };
        var propose = new Option<bool>("--propose") { Description = "Only print the final state and the payer's signature for the payee to co-sign" };
        var settle = new Option<bool>("--settle") { Description = "Settle a closing channel (after its challenge period)" };
        var closeDeadline = new Option<ulong?>("--close-deadline")
        {
            Description = "Unix time until which the close agreement is valid on chain: chosen with --propose (default: the newest block's time + 1 hour), required with --payee-signature",
        };
        var command = new Command("close", "Close a channel: cooperatively with the payee's signature, else start a unilateral close; --settle after the challenge period")
        {
            keyFile, db, rpc, contract, channelId, payeeSignature, propose, settle, closeDeadline,
        };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            if (!TryKey(parse.GetValue(contract), parse.GetValue(channelId), out var contractAddress, out var id, out var usage))
            {
                return CliOutput.Fail(usage, CliOutput.Usage);
            }

            EcdsaSignature? theirs = null;
            if (parse.GetValue(payeeSignature) is { } text)
            {
                if (!Hex.TryDecode(text, out var bytes) || bytes is null || !EcdsaSignature.TryParseRsv(bytes, out var parsed))
                {
                    return CliOutput.Fail("--payee-signature must be a 65-byte r‖s‖v signature in hex.", CliOutput.Usage);
                }

                theirs = parsed;
                if (parse.GetValue(closeDeadline) is not > 0)
                {
                    return CliOutput.Fail("--payee-signature needs --close-deadline: the deadline of the agreement the payee signed.", CliOutput.Usage);
                }
            }

            var stored = await FindAsync(parse.GetValue(db)!, contractAddress, id, ct).ConfigureAwait(false);
            if (stored is null)
            {
                return CliOutput.Fail($"the payer's file holds no channel {id} in {contractAddress}");
            }

            await using var context = await PayerCliContext.CreateAsync(
                parse.GetValue(keyFile)!, new Uri(parse.GetValue(rpc)!), contractAddress, parse.GetValue(db)!, stored.Record.Key.ChainId, ct).ConfigureAwait(false);
            var channel = (await context.Client.GetChannelAsync(id, ct).ConfigureAwait(false))!;
            if (parse.GetValue(propose))
            {
                var deadline = parse.GetValue(closeDeadline) ?? await ProposedCloseDeadlineAsync(context, ct).ConfigureAwait(false);
                var state = channel.CloseState(deadline);
                return CliOutput.WriteObject(w =>
                {
                    w.WriteString("channelId", id.ToString());
                    w.WriteString("payerToPayee", state.PayerToPayee.ToString(CultureInfo.InvariantCulture));
                    w.WriteString("payeeToPayer", state.PayeeToPayer.ToString(CultureInfo.InvariantCulture));
                    w.WriteString("deadline", state.Deadline.ToString(CultureInfo.InvariantCulture));
                    w.WriteString("digest", Hex.Encode(state.Digest(context.Contract.Domain)));
                    w.WriteString("payerSignature", channel.SignClose(state).ToString());
                });
            }

            var outcome = parse.GetValue(settle)
                ? await channel.SettleAsync(null, ct).ConfigureAwait(false)
                : await channel.CloseAsync(theirs, parse.GetValue(closeDeadline) ?? 0, null, ct).ConfigureAwait(false);
            CliOutput.WriteObject(w =>
            {
                w.WriteString("channelId", id.ToString());
                w.WriteString("result", JsonNamingPolicy.CamelCase.ConvertName(outcome.Result.ToString()));
                w.WriteString("payerToPayee", outcome.PayerToPayee.ToString(CultureInfo.InvariantCulture));
                w.WriteString("payeeToPayer", outcome.PayeeToPayer.ToString(CultureInfo.InvariantCulture));
                w.WriteNumber("deadline", outcome.Deadline);
                w.WriteString("status", JsonNamingPolicy.CamelCase.ConvertName(channel.Status.ToString()));
            });
            return outcome.Result is CloseResult.Settled or CloseResult.Closing or CloseResult.AlreadySettled ? 0 : Refused;
        }));
        return command;
    }

    public static Command CreateReceipts()
    {
        var db = PayerDbOption();
        var channelId = new Option<string?>("--channel") { Description = "Only this channel" };
        var command = new Command("receipts", "What was charged per channel: signed, acknowledged, the payee's signed receipts and refunds (from the payer's file)")
        {
            db, channelId,
        };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            ChannelId? only = null;
            if (parse.GetValue(channelId) is { } text)
            {
                if (!ChannelId.TryParse(text, out var parsed))
                {
                    return CliOutput.Fail("--channel must be 32 bytes of hex.", CliOutput.Usage);
                }

                only = parsed;
            }

            var path = parse.GetValue(db)!;
            if (!File.Exists(path))
            {
                return CliOutput.Fail($"no payer file at {Path.GetFullPath(path)}");
            }

            var store = new SqlitePayerStore(path);
            var channels = (await store.ListChannelsAsync(ct).ConfigureAwait(false)).Where(c => only is null || c.Record.Key.ChannelId == only).ToList();
            var receipts = new Dictionary<ChannelKey, IReadOnlyList<Channels.Payer.Receipts.PayerReceipt>>();
            foreach (var c in channels)
            {
                receipts[c.Record.Key] = await store.ListReceiptsAsync(c.Record.Key, ct).ConfigureAwait(false);
            }

            return CliOutput.WriteObject(w =>
            {
                w.WriteStartArray("channels");
                foreach (var c in channels)
                {
                    w.WriteStartObject();
                    WriteStored(w, c);
                    w.WriteStartArray("receipts");
                    var previous = BigInteger.Zero;
                    foreach (var r in receipts[c.Record.Key])
                    {
                        w.WriteStartObject();
                        w.WriteString("cumulativeAmount", r.Cumulative.ToString(CultureInfo.InvariantCulture));
                        w.WriteString("charged", (r.Cumulative - previous).ToString(CultureInfo.InvariantCulture));
                        w.WriteNumber("issuedAt", r.IssuedAt);
                        w.WriteString("receivedAt", r.ReceivedAt);
                        w.WriteString("signature", r.Signature.ToString());
                        w.WriteBoolean("signedByPayee", r.ToPaymentReceipt().IsSignedBy(c.Record.Parameters.Payee));
                        w.WriteEndObject();
                        previous = r.Cumulative;
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
        }));
        return command;
    }

    /// <summary>The payer's view of one channel for <c>channel status --payer-db</c>.</summary>
    public static async Task<int> StatusAsync(string database, ChannelKey key, CancellationToken ct)
    {
        if (!File.Exists(database))
        {
            return CliOutput.Fail($"no payer file at {Path.GetFullPath(database)}");
        }

        var stored = await new SqlitePayerStore(database).GetChannelAsync(key, ct).ConfigureAwait(false);
        if (stored is null)
        {
            return CliOutput.Fail($"the payer's file holds nothing for channel {key}");
        }

        return CliOutput.WriteObject(w => WriteStored(w, stored));
    }

    private static void WriteChannel(Utf8JsonWriter w, PayerChannel channel)
    {
        w.WriteString("chainId", channel.Key.ChainId.ToString(CultureInfo.InvariantCulture));
        w.WriteString("contract", channel.Key.Contract.ToString());
        w.WriteString("channelId", channel.Id.ToString());
        w.WriteString("payer", channel.Parameters.Payer.ToString());
        w.WriteString("payee", channel.Parameters.Payee.ToString());
        w.WriteString("token", channel.Parameters.Token.ToString());
        w.WriteNumber("challengePeriod", channel.Parameters.ChallengePeriodSeconds);
        w.WriteNumber("nonce", channel.Parameters.Nonce);
        WriteState(w, channel);
    }

    private static void WriteState(Utf8JsonWriter w, PayerChannel channel)
    {
        w.WriteString("signed", channel.Signed.ToString(CultureInfo.InvariantCulture));
        w.WriteString("acknowledged", channel.Acknowledged.ToString(CultureInfo.InvariantCulture));
        w.WriteString("exposure", channel.Exposure.ToString(CultureInfo.InvariantCulture));
        w.WriteString("deposit", channel.Deposit.ToString(CultureInfo.InvariantCulture));
        w.WriteString("remaining", channel.Remaining.ToString(CultureInfo.InvariantCulture));
        w.WriteString("status", JsonNamingPolicy.CamelCase.ConvertName(channel.Status.ToString()));
    }

    private static void WriteStored(Utf8JsonWriter w, StoredPayerChannel c)
    {
        var r = c.Record;
        w.WriteString("chainId", r.Key.ChainId.ToString(CultureInfo.InvariantCulture));
        w.WriteString("contract", r.Key.Contract.ToString());
        w.WriteString("channelId", r.Key.ChannelId.ToString());
        w.WriteString("payer", r.Parameters.Payer.ToString());
        w.WriteString("payee", r.Parameters.Payee.ToString());
        w.WriteString("token", r.Parameters.Token.ToString());
        w.WriteString("status", JsonNamingPolicy.CamelCase.ConvertName(r.Status.ToString()));
        w.WriteString("deposit", r.Deposit.ToString(CultureInfo.InvariantCulture));
        w.WriteString("signed", c.SignedAmount.ToString(CultureInfo.InvariantCulture));
        w.WriteString("charged", c.Acknowledged.ToString(CultureInfo.InvariantCulture));
        w.WriteString("exposure", c.Exposure.ToString(CultureInfo.InvariantCulture));
        w.WriteString("remaining", BigInteger.Max(BigInteger.Zero, r.Deposit - c.SignedAmount).ToString(CultureInfo.InvariantCulture));
        w.WriteString("refunded", (c.Refund?.Voucher.CumulativeAmount ?? BigInteger.Zero).ToString(CultureInfo.InvariantCulture));
        if (r.PayeeStreamUrl is { } url)
        {
            w.WriteString("payeeUrl", url.ToString());
        }
    }

    private static async Task<StoredPayerChannel?> FindAsync(string database, Address contract, ChannelId id, CancellationToken ct)
    {
        if (!File.Exists(database))
        {
            return null;
        }

        var all = await new SqlitePayerStore(database).ListChannelsAsync(ct).ConfigureAwait(false);
        return all.FirstOrDefault(c => c.Record.Key.Contract == contract && c.Record.Key.ChannelId == id);
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

    private static bool TryAmount(string? text, out BigInteger amount) =>
        BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out amount);
}
