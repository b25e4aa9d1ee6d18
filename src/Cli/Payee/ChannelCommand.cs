using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Storage.PostgreSql;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Channels.Vouchers;
using Settlement.Cli.Payer;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;

namespace Settlement.Cli.Payee;

/// <summary>
/// <c>l2pay channel</c>: the payer's verbs (<c>open</c>, <c>pay</c>, <c>close</c>, <c>receipts</c>, in
/// <see cref="PayerCommands"/>), the payee's on-chain verbs (<c>dispute</c>, <c>settle</c>, <c>redeem-batch</c>, in
/// <see cref="PayeeChannelCommands"/>) and <c>status</c>: what a payer has paid in a channel, as the payee holds it — asked of a
/// running payee service (<c>--payee-url</c>) or read straight from its database (<c>--db</c>, SQLite file or
/// PostgreSQL) — or as the payer sees it (<c>--payer-db</c>).
/// </summary>
internal static class ChannelCommand
{
    public static Command Create()
    {
        var channel = new Command("channel", "Open, pay, inspect and close payment channels");
        channel.Subcommands.Add(PayerCommands.CreateOpen());
        channel.Subcommands.Add(PayerCommands.CreatePay());
        channel.Subcommands.Add(CreateStatus());
        channel.Subcommands.Add(PayerCommands.CreateClose());
        channel.Subcommands.Add(PayerCommands.CreateReceipts());
        channel.Subcommands.Add(PayeeChannelCommands.CreateDispute());
        channel.Subcommands.Add(PayeeChannelCommands.CreateSettle());
        channel.Subcommands.Add(PayeeChannelCommands.CreateRedeemBatch());
        return channel;
    }

    private static Command CreateStatus()
    {
        var id = new Option<string>("--channel") { Description = "Channel id (0x + 64 hex digits)", Required = true };
        var contract = new Option<string>("--contract") { Description = "SettlementChannels contract address", Required = true };
        var chainId = new Option<ulong>("--chain-id") { Description = "Chain id", DefaultValueFactory = _ => 31337 };
        var payeeUrl = new Option<string?>("--payee-url") { Description = "A running payee service, e.g. http://127.0.0.1:7070/" };
        var db = new Option<string?>("--db") { Description = "Read the payee's database instead: SQLite file or PostgreSQL connection string" };
        var payerDb = new Option<string?>("--payer-db") { Description = "Show the payer's view instead, from its SQLite file: signed, acknowledged, exposure" };
        var command = new Command("status", "Show what the payee holds for a channel (paid, remaining credit, deposit, newest voucher), or the payer's view")
        {
            id, contract, chainId, payeeUrl, db, payerDb,
        };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            if (!ChannelId.TryParse(parse.GetValue(id), out var channelId))
            {
                return CliOutput.Fail("--channel must be 32 bytes of hex.", CliOutput.Usage);
            }

            if (!Address.TryParse(parse.GetValue(contract), out var address))
            {
                return CliOutput.Fail("--contract must be a 20-byte hex address.", CliOutput.Usage);
            }

            var key = new ChannelKey(parse.GetValue(chainId), address, channelId);
            return (parse.GetValue(payeeUrl), parse.GetValue(db), parse.GetValue(payerDb)) switch
            {
                ({ } url, null, null) => await FromServiceAsync(new Uri(url), key, ct).ConfigureAwait(false),
                (null, { } database, null) => await FromDatabaseAsync(database, key, ct).ConfigureAwait(false),
                (null, null, { } payerFile) => await PayerCommands.StatusAsync(payerFile, key, ct).ConfigureAwait(false),
                _ => CliOutput.Fail("Give exactly one of --payee-url, --db and --payer-db.", CliOutput.Usage),
            };
        }));
        return command;
    }

    private static async Task<int> FromServiceAsync(Uri payee, ChannelKey key, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = payee, Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(
            new Uri($"v1/channels/{key.ChainId.ToString(CultureInfo.InvariantCulture)}/{key.Contract}/{key.ChannelId}", UriKind.Relative), ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var detail = TryDetail(body) ?? body;
            return CliOutput.Fail($"the payee answered {(int)response.StatusCode}: {detail}");
        }

        using var document = JsonDocument.Parse(body);
        return CliOutput.WriteObject(w =>
        {
            foreach (var property in document.RootElement.EnumerateObject())
            {
                property.WriteTo(w);
            }
        });
    }

    private static async Task<int> FromDatabaseAsync(string database, ChannelKey key, CancellationToken ct)
    {
        var postgres = database.Contains("Host=", StringComparison.OrdinalIgnoreCase) || database.StartsWith("postgres", StringComparison.OrdinalIgnoreCase);
        if (!postgres && !File.Exists(database))
        {
            return CliOutput.Fail($"no payee database at {Path.GetFullPath(database)}");
        }

        var services = new ServiceCollection().AddLogging();
        if (postgres)
        {
            services.AddPostgreSqlVoucherStore(database);
        }
        else
        {
            services.AddSqliteVoucherStore(database);
        }

        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IVoucherStore>();
        var channel = await store.GetChannelAsync(key, ct).ConfigureAwait(false);
        var newest = await store.GetNewestAsync(key, ct).ConfigureAwait(false);
        if (channel is null && newest is null)
        {
            return CliOutput.Fail($"the payee database holds nothing for channel {key}");
        }

        var paid = newest?.Cumulative ?? BigInteger.Zero;
        return CliOutput.WriteObject(w =>
        {
            w.WriteString("chainId", key.ChainId.ToString(CultureInfo.InvariantCulture));
            w.WriteString("contract", key.Contract.ToString());
            w.WriteString("channelId", key.ChannelId.ToString());
            w.WriteString("paid", paid.ToString(CultureInfo.InvariantCulture));
            if (channel is not null)
            {
                var view = channel.View;
                var remaining = BigInteger.Max(BigInteger.Zero, view.PayerDeposit - BigInteger.Max(paid, view.RedeemedByPayee));
                w.WriteString("remaining", remaining.ToString(CultureInfo.InvariantCulture));
                w.WriteString("deposit", view.PayerDeposit.ToString(CultureInfo.InvariantCulture));
                w.WriteString("redeemed", view.RedeemedByPayee.ToString(CultureInfo.InvariantCulture));
                w.WriteBoolean("open", !view.IsClosing && !view.Settled);
                w.WriteString("payer", view.Parameters.Payer.ToString());
                w.WriteString("payee", view.Parameters.Payee.ToString());
                w.WriteNumber("viewBlock", channel.BlockNumber);
            }

            if (newest is not null)
            {
                w.WriteStartObject("newestVoucher");
                w.WriteString("cumulativeAmount", newest.Cumulative.ToString(CultureInfo.InvariantCulture));
                w.WriteString("signature", Hex.Encode(newest.Signature));
                w.WriteString("receivedAt", newest.ReceivedAt);
                w.WriteEndObject();
            }
        });
    }

    private static string? TryDetail(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
