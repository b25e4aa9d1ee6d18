using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;
using Settlement.Service.Reconciliation;
using Settlement.Service.Reconciliation.Sources;

namespace Settlement.Cli.Settle;

/// <summary>
/// <c>l2pay settle reconcile</c> (the break report of <see cref="SettlementReconciliation"/>: exit 0 with no break, 3 with
/// breaks) and <c>l2pay settle report</c> (one JSON object: ledger totals, GBP balances, flows, reconciliation summary,
/// journal head). Both read the ledger database (<c>--db</c>), the bank's transfer database (<c>--bank-db</c>, the
/// <c>transfers.db</c> of <c>l2pay bank --state-dir</c> or <c>OpenBanking:DatabasePath</c>, opened read-only) and the
/// indexer stream (<c>--stream</c>), and write nothing.
/// </summary>
internal static class ReconcileCommand
{
    /// <summary>Exit code when the reconciliation has breaks (as <c>verify-journal</c>'s failure).</summary>
    public const int Breaks = SettleCommand.Tampered;

    private static Option<string> Db() => new("--db") { Description = "The ledger database: SQLite file or PostgreSQL connection string", Required = true };

    private static Option<FileInfo> BankDb() =>
        new("--bank-db") { Description = "The bank's transfer database (transfers.db in the 'l2pay bank' state directory, or OpenBanking:DatabasePath)", Required = true };

    private static Option<string> Stream() => new("--stream") { Description = "The indexer stream of the chain events (the indexer's Stream, e.g. chainId:contract:token)", Required = true };

    public static Command CreateReconcile()
    {
        var db = Db();
        var bankDb = BankDb();
        var stream = Stream();
        var format = new Option<string>("--format") { Description = "json (default), csv or table", DefaultValueFactory = _ => "json" };
        var output = new Option<FileInfo?>("--out") { Description = "Write the report to this file (stdout then gets a one-line summary)" };
        var command = new Command("reconcile", "Reconcile bank records, ledger transfers and chain events; exit 3 when there are breaks") { db, bankDb, stream, format, output };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async () =>
        {
            var chosen = parse.GetValue(format)!;
            if (chosen is not ("json" or "csv" or "table"))
            {
                return CliOutput.Fail($"--format must be json, csv or table, not '{chosen}'", CliOutput.Usage);
            }

            return await WithReconciliationAsync(parse.GetValue(db)!, parse.GetValue(bankDb)!, parse.GetValue(stream)!, async (_, reconciliation) =>
            {
                var report = await reconciliation.RunAsync(ct).ConfigureAwait(false);
                var text = chosen switch
                {
                    "csv" => BreakReport.ToCsv(report.Run),
                    "table" => BreakReport.ToTable(report.Run),
                    _ => BreakReport.ToJson(report.Run),
                };
                if (parse.GetValue(output) is { } file)
                {
                    await File.WriteAllTextAsync(file.FullName, text, new UTF8Encoding(false), ct).ConfigureAwait(false);
                    CliOutput.WriteObject(w =>
                    {
                        w.WriteString("out", file.FullName);
                        w.WriteString("format", chosen);
                        w.WriteNumber("breaks", report.BreakCount);
                        w.WriteNumber("findings", report.Findings.Count);
                    });
                }
                else
                {
                    Console.Out.Write(text);
                    Console.Out.Flush();
                }

                if (report.BreakCount > 0)
                {
                    Console.Error.WriteLine($"reconciliation: {report.BreakCount} break(s)");
                }

                return report.BreakCount == 0 ? 0 : Breaks;
            }).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command CreateReport()
    {
        var db = Db();
        var bankDb = BankDb();
        var stream = Stream();
        var command = new Command("report", "One JSON object: ledger totals, GBP balances, flows, reconciliation summary, journal head; exit 3 on breaks or a broken journal")
        {
            db, bankDb, stream,
        };
        command.SetAction((parse, ct) => CliOutput.RunAsync(() =>
            WithReconciliationAsync(parse.GetValue(db)!, parse.GetValue(bankDb)!, parse.GetValue(stream)!, (services, reconciliation) =>
                WriteReportAsync(services, reconciliation, ct))));
        return command;
    }

    private static async Task<int> WithReconciliationAsync(
        string database, FileInfo bankDb, string stream, Func<IServiceProvider, SettlementReconciliation, Task<int>> body)
    {
        if (!bankDb.Exists)
        {
            return CliOutput.Fail($"--bank-db: no transfer database at {bankDb.FullName}", CliOutput.Usage);
        }

        if (string.IsNullOrWhiteSpace(stream))
        {
            return CliOutput.Fail("--stream: name the indexer stream", CliOutput.Usage);
        }

        return await SettleCommand.WithServicesAsync(database, services =>
        {
            var store = services.GetRequiredService<ILedgerStore>();
            var reconciliation = new SettlementReconciliation(
                store, services.GetRequiredService<IFlowStore>(), services.GetRequiredService<IChainIndexStore>(),
                new TransferDatabaseBankOperations(bankDb.FullName), new SettlementReconciliationOptions { Stream = stream });
            return body(services, reconciliation);
        }).ConfigureAwait(false);
    }

    private static async Task<int> WriteReportAsync(IServiceProvider services, SettlementReconciliation reconciliation, CancellationToken ct)
    {
        var ledger = services.GetRequiredService<ILedgerStore>();
        var accounts = await ledger.ListAccountsAsync(ct).ConfigureAwait(false);
        var flows = await FlowOverview.ListAsync(services.GetRequiredService<IFlowStore>(), ct).ConfigureAwait(false);
        var report = await reconciliation.RunAsync(ct).ConfigureAwait(false);
        var journal = await ledger.VerifyJournalAsync(ct).ConfigureAwait(false);
        var gbp = accounts.Where(a => a.Account.Ledger == LedgerAssets.Gbp).ToList();
        CliOutput.WriteObject(w =>
        {
            SettleCommand.WriteLedgerTotals(w, "ledgerTotals", accounts);

            // Net = posted credits − posted debits, in pence (bank clearing: negative = GBP the platform holds at the bank).
            w.WriteStartObject("gbpBalances");
            w.WriteString("bankClearing", Net(gbp.Where(a => a.Account.Id == SettlementAccounts.BankClearing.Id)));
            w.WriteString("stablecoinReserve", Net(gbp.Where(a => a.Account.Id == SettlementAccounts.StablecoinReserve.Id)));
            w.WriteString("fees", Net(gbp.Where(a => a.Account.Id == SettlementAccounts.Fees.Id)));
            w.WriteString("userFundsTotal", Net(gbp.Where(a => a.Account.Code == (ushort)AccountCode.User)));
            w.WriteString("merchantPayableTotal", Net(gbp.Where(a => a.Account.Code == (ushort)AccountCode.Merchant)));
            w.WriteEndObject();

            w.WriteStartObject("flows");
            w.WriteNumber("total", flows.Count);
            w.WriteNumber("unfinished", flows.Count(f => !f.Finished));
            w.WriteStartArray("byKindAndState");
            foreach (var group in flows.GroupBy(f => (f.Kind, f.State)).OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.State, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("kind", group.Key.Kind.ToString());
                w.WriteString("state", group.Key.State);
                w.WriteNumber("count", group.Count());
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("needingAttention");
            foreach (var f in flows.Where(f => f.NeedsAttention))
            {
                w.WriteStartObject();
                w.WriteString("id", f.Id.ToString());
                w.WriteString("kind", f.Kind.ToString());
                w.WriteString("state", f.State);
                w.WriteString("problem", f.Problem is null ? null : f.Problem.Code + ": " + f.Problem.Detail);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject("reconciliation");
            w.WriteNumber("breaks", report.BreakCount);
            w.WriteStartArray("pairings");
            foreach (var p in report.Run.Pairings)
            {
                w.WriteStartObject();
                w.WriteString("name", p.Pairing.Name);
                w.WriteNumber("matches", p.Matches.Count);
                w.WriteNumber("matchesWithDifference", p.Matches.Count(m => m.HasDifference));
                w.WriteNumber("breaks", p.Breaks.Count);
                w.WriteStartObject("breaksByReason");
                foreach (var reason in p.Breaks.GroupBy(b => b.Reason).OrderBy(g => g.Key))
                {
                    w.WriteNumber(reason.Key.ToString(), reason.Count());
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("unassigned", report.Run.Unassigned.Count);
            w.WriteStartArray("findings");
            foreach (var f in report.Findings)
            {
                w.WriteStartObject();
                w.WriteString("code", f.Code);
                w.WriteString("asset", f.Asset);
                w.WriteString("amount", f.Amount.ToString(CultureInfo.InvariantCulture));
                w.WriteString("detail", f.Detail);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject("journal");
            w.WriteBoolean("ok", journal.Ok);
            w.WriteNumber("entries", journal.Entries);
            w.WriteString("headHash", journal.HeadHash);
            w.WriteString("problem", journal.Problem);
            w.WriteEndObject();
        });
        return report.BreakCount == 0 && journal.Ok ? 0 : Breaks;
    }

    private static string Net(IEnumerable<AccountBalances> accounts) =>
        accounts.Aggregate(Int128.Zero, (s, a) => s + (Int128)a.CreditsPosted - (Int128)a.DebitsPosted).ToString(CultureInfo.InvariantCulture);

    private static string Text<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
