using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Service.Indexer;
using Settlement.Service.Storage.PostgreSql;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Cli.Settle;

/// <summary>
/// <c>l2pay settle index --rpc-url URL --contract ADDR --token ADDR --db DB [--follow]</c>: runs the chain indexer
/// (docs/indexer.md) into a SQLite or PostgreSQL ledger until it has caught up with the confirmed head, or with
/// <c>--follow</c> until interrupted, then prints one JSON object (blocks indexed, events booked, reorgs handled,
/// checkpoint). <c>--progress</c> writes one JSON line per poll to stderr.
/// </summary>
internal static class IndexCommand
{
    public static Command Create()
    {
        var rpcUrl = new Option<string>("--rpc-url") { Description = "Chain node JSON-RPC URL", DefaultValueFactory = _ => "http://127.0.0.1:8545" };
        var contract = new Option<string>("--contract") { Description = "The channel contract's address", Required = true };
        var token = new Option<string>("--token") { Description = "The stablecoin's address", Required = true };
        var db = new Option<string>("--db") { Description = "The ledger database: SQLite file (created if missing) or PostgreSQL connection string", Required = true };
        var chainId = new Option<ulong?>("--chain-id") { Description = "The chain id the node must serve (default: what it reports)" };
        var startBlock = new Option<ulong>("--start-block") { Description = "First block when the ledger has no checkpoint (the contracts' deployment block)" };
        var confirmations = new Option<int>("--confirmations") { Description = "Blocks on top before a block is booked", DefaultValueFactory = _ => 12 };
        var maxRange = new Option<int?>("--max-range") { Description = "Largest eth_getLogs range in blocks (default 10,000; halves when the node refuses)" };
        var follow = new Option<bool>("--follow") { Description = "Keep following new blocks until interrupted" };
        var progress = new Option<bool>("--progress") { Description = "Write a JSON progress line per poll to stderr" };
        var command = new Command("index", "Book the channel contract's and the stablecoin's confirmed events into the ledger, reorg-safe")
        {
            rpcUrl, contract, token, db, chainId, startBlock, confirmations, maxRange, follow, progress,
        };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            if (!Address.TryParse(parse.GetValue(contract), out _) || !Address.TryParse(parse.GetValue(token), out _))
            {
                return CliOutput.Fail("--contract and --token must be 20-byte 0x-hex addresses", CliOutput.Usage);
            }

            using var http = new HttpClient();
            var url = new Uri(parse.GetValue(rpcUrl)!);
            var id = parse.GetValue(chainId)
                ?? await new EthereumRpcClient(http, new EthereumRpcOptions { Url = url, ChainId = 1 }).GetChainIdAsync(ct).ConfigureAwait(false);
            var database = parse.GetValue(db)!;
            var services = new ServiceCollection().AddLogging();
            if (database.Contains("Host=", StringComparison.OrdinalIgnoreCase) || database.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
            {
                services.AddPostgreSqlLedgerStore(database);
            }
            else
            {
                services.AddSqliteLedgerStore(database);
            }

            services.AddSingleton(new EthereumRpcClient(http, new EthereumRpcOptions { Url = url, ChainId = id }));
            services.AddChainIndexer(o =>
            {
                o.ChainId = id;
                o.ChannelContract = parse.GetValue(contract);
                o.Token = parse.GetValue(token);
                o.StartBlock = parse.GetValue(startBlock);
                o.Confirmations = parse.GetValue(confirmations);
                if (parse.GetValue(maxRange) is { } max)
                {
                    o.MaxBlockRange = max;
                    o.InitialBlockRange = Math.Min(o.InitialBlockRange, max);
                    o.MinBlockRange = Math.Min(o.MinBlockRange, max);
                }
            });
            await using var provider = services.BuildServiceProvider();
            ChainIndexer indexer;
            try
            {
                _ = provider.GetRequiredService<IOptions<IndexerOptions>>().Value;
                indexer = provider.GetRequiredService<ChainIndexer>();
            }
            catch (OptionsValidationException ex)
            {
                return CliOutput.Fail(ex.Message, CliOutput.Usage);
            }

            var reporter = parse.GetValue(progress) ? new StderrProgress() : null;
            var summary = parse.GetValue(follow)
                ? await indexer.FollowAsync(reporter, ct).ConfigureAwait(false)
                : await indexer.RunUntilCaughtUpAsync(reporter, ct).ConfigureAwait(false);
            return CliOutput.WriteObject(w =>
            {
                w.WriteString("stream", indexer.Stream);
                w.WriteNumber("head", summary.Head);
                w.WriteNumber("blocksIndexed", summary.BlocksIndexed);
                w.WriteNumber("eventsBooked", summary.EventsBooked);
                w.WriteNumber("transfersBooked", summary.TransfersBooked);
                w.WriteNumber("reorgsHandled", summary.ReorgsHandled);
                w.WriteNumber("eventsReversed", summary.EventsReversed);
                w.WriteNumber("rangeReductions", summary.RangeReductions);
                w.WriteStartObject("checkpoint");
                if (summary.Checkpoint?.Block is { } block)
                {
                    w.WriteNumber("block", block.Number);
                    w.WriteString("hash", block.Hash);
                }
                else
                {
                    w.WriteNull("block");
                }

                w.WriteNumber("epoch", summary.Checkpoint?.Epoch ?? 0);
                w.WriteNumber("eventsBooked", summary.Checkpoint?.EventsBooked ?? 0);
                w.WriteNumber("reorgs", summary.Checkpoint?.Reorgs ?? 0);
                w.WriteEndObject();
            });
        }));
        return command;
    }

    /// <summary>One JSON line per poll on stderr (stdout carries only the final object).</summary>
    private sealed class StderrProgress : IProgress<IndexerProgress>
    {
        public void Report(IndexerProgress value)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                if (value.CurrentBlock is { } current)
                {
                    w.WriteNumber("block", current);
                }

                w.WriteNumber("head", value.Head);
                w.WriteNumber("blocksIndexed", value.BlocksIndexed);
                w.WriteNumber("eventsBooked", value.EventsBooked);
                w.WriteString("eventsPerSecond", value.EventsPerSecond.ToString("F1", CultureInfo.InvariantCulture));
                w.WriteNumber("blockRange", value.BlockRange);
                w.WriteEndObject();
            }

            Console.Error.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        }
    }
}
