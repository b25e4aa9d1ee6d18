using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Settlement.Service.Ledger;
using Settlement.Service.Storage.PostgreSql;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Cli.Settle;

/// <summary>
/// <c>l2pay settle ledger | verify-journal --db DB</c>: read-only views of the settlement ledger (SQLite file or
/// PostgreSQL connection string); <c>l2pay settle index</c> (<see cref="IndexCommand"/>) books chain events into it; <c>reconcile</c> and <c>report</c> (<see cref="ReconcileCommand"/>) reconcile it with the bank and the chain. Output: one JSON object; <c>verify-journal</c> exits non-zero when the journal fails.
/// </summary>
internal static class SettleCommand
{
    /// <summary>Exit code of <c>verify-journal</c> when the journal or the balances do not verify.</summary>
    public const int Tampered = 3;

    public static Command Create()
    {
        var settle = new Command("settle", "The settlement ledger: balances, journal verification and the chain indexer");
        settle.Subcommands.Add(CreateLedger());
        settle.Subcommands.Add(CreateVerify());
        settle.Subcommands.Add(IndexCommand.Create());
        settle.Subcommands.Add(SettleFlowsCommands.CreateRun());
        settle.Subcommands.Add(SettleFlowsCommands.CreatePayouts());
        settle.Subcommands.Add(ReconcileCommand.CreateReconcile());
        settle.Subcommands.Add(ReconcileCommand.CreateReport());
        return settle;
    }

    private static Option<string> DbOption() =>
        new("--db") { Description = "The ledger database: SQLite file or PostgreSQL connection string", Required = true };

    private static Command CreateLedger()
    {
        var db = DbOption();
        var command = new Command("ledger", "Print every account's balances (base units of its asset) and per-asset totals") { db };
        command.SetAction((parse, ct) => CliOutput.RunAsync(() => WithStoreAsync(parse.GetValue(db)!, async store =>
        {
            var accounts = await store.ListAccountsAsync(ct).ConfigureAwait(false);
            return CliOutput.WriteObject(w =>
            {
                w.WriteStartArray("accounts");
                foreach (var a in accounts)
                {
                    w.WriteStartObject();
                    w.WriteString("id", Text(a.Account.Id));
                    w.WriteNumber("ledger", a.Account.Ledger);
                    w.WriteString("asset", LedgerAssets.Name(a.Account.Ledger));
                    w.WriteString("code", Enum.IsDefined((AccountCode)a.Account.Code) ? ((AccountCode)a.Account.Code).ToString() : Text(a.Account.Code));
                    w.WriteString("flags", a.Account.Flags.ToString());
                    w.WriteString("debitsPending", Text(a.DebitsPending));
                    w.WriteString("debitsPosted", Text(a.DebitsPosted));
                    w.WriteString("creditsPending", Text(a.CreditsPending));
                    w.WriteString("creditsPosted", Text(a.CreditsPosted));
                    w.WriteString("createdAt", a.CreatedAt);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                WriteLedgerTotals(w, "totals", accounts);
            });
        })));
        return command;
    }

    private static Command CreateVerify()
    {
        var db = DbOption();

        // A chain rewritten from some row on (and its head moved) verifies from inside the database; a head hash recorded
        // outside it (a report, a log, another system) does not match any more.
        var expectHead = new Option<string?>("--expect-head")
        {
            Description = "The head hash recorded earlier (64 hex digits, printed as headHash): exit 3 unless the journal still ends there",
        };
        var command = new Command("verify-journal", "Recompute the journal's hash chain and balances; exit 3 naming the first broken row or account") { db, expectHead };
        command.SetAction((parse, ct) => CliOutput.RunAsync(() =>
        {
            var expected = parse.GetValue(expectHead);
            if (expected is not null && (expected.Length != 64 || !expected.All(char.IsAsciiHexDigit)))
            {
                return Task.FromResult(CliOutput.Fail("--expect-head: a journal hash is 64 hex digits"));
            }

            var normalized = expected is null ? null : Convert.ToHexStringLower(Convert.FromHexString(expected));
            return WithStoreAsync(parse.GetValue(db)!, store => VerifyAsync(store, normalized, ct));
        }));
        return command;
    }

    private static async Task<int> VerifyAsync(ILedgerStore store, string? expected, CancellationToken ct)
    {
        var verified = await store.VerifyJournalAsync(ct).ConfigureAwait(false);
        var result = verified.Ok && expected is not null && !string.Equals(verified.HeadHash, expected, StringComparison.Ordinal)
            ? verified with
            {
                Ok = false,
                Problem = $"the head hash {verified.HeadHash} (entry {verified.Entries}) is not the expected {expected}: "
                    + "the journal was rewritten or truncated after that hash was recorded",
            }
            : verified;
        CliOutput.WriteObject(w =>
        {
            w.WriteBoolean("ok", result.Ok);
            w.WriteNumber("entries", result.Entries);
            w.WriteString("headHash", result.HeadHash);
            if (expected is not null)
            {
                w.WriteString("expectedHead", expected);
            }

            if (result.BrokenSeq is { } seq)
            {
                w.WriteNumber("brokenSeq", seq);
            }

            if (result.AccountId is { } account)
            {
                w.WriteString("accountId", Text(account));
            }

            if (result.Problem is { } problem)
            {
                w.WriteString("problem", problem);
            }
        });
        return result.Ok ? 0 : Tampered;
    }

    /// <summary>Per ledger (asset): posted debits and credits over every account, and whether they balance.</summary>
    internal static void WriteLedgerTotals(Utf8JsonWriter w, string name, IEnumerable<AccountBalances> accounts)
    {
        w.WriteStartArray(name);
        foreach (var group in accounts.GroupBy(a => a.Account.Ledger).OrderBy(g => g.Key))
        {
            var debits = group.Aggregate(UInt128.Zero, (s, a) => s + a.DebitsPosted);
            var credits = group.Aggregate(UInt128.Zero, (s, a) => s + a.CreditsPosted);
            w.WriteStartObject();
            w.WriteNumber("ledger", group.Key);
            w.WriteString("asset", LedgerAssets.Name(group.Key));
            w.WriteString("debitsPosted", Text(debits));
            w.WriteString("creditsPosted", Text(credits));
            w.WriteBoolean("balanced", debits == credits);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static string Text<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    private static Task<int> WithStoreAsync(string database, Func<ILedgerStore, Task<int>> body) =>
        WithServicesAsync(database, services => body(services.GetRequiredService<ILedgerStore>()));

    /// <summary>Opens the ledger database (SQLite file, which must exist, or PostgreSQL) with its stores (ledger, indexer, flows) and runs <paramref name="body"/>.</summary>
    internal static async Task<int> WithServicesAsync(string database, Func<IServiceProvider, Task<int>> body)
    {
        var postgres = database.Contains("Host=", StringComparison.OrdinalIgnoreCase) || database.StartsWith("postgres", StringComparison.OrdinalIgnoreCase);
        if (!postgres && !File.Exists(database))
        {
            return CliOutput.Fail($"no ledger database at {Path.GetFullPath(database)}");
        }

        var services = new ServiceCollection().AddLogging();
        if (postgres)
        {
            services.AddPostgreSqlLedgerStore(database);
        }
        else
        {
            services.AddSqliteLedgerStore(database);
        }

        await using var provider = services.BuildServiceProvider();
        return await body(provider).ConfigureAwait(false);
    }
}
