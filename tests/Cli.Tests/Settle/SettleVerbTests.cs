using System.Text.Json;
using Microsoft.Data.Sqlite;
using Settlement.Service.Ledger;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Cli.Tests.Settle;

public sealed class SettleVerbTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "l2pay-settle-" + Guid.NewGuid().ToString("N"));

    public SettleVerbTests() => Directory.CreateDirectory(_dir);

    private string Db => Path.Combine(_dir, "ledger.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task SeedAsync()
    {
        var store = new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = Db });
        await store.CreateAccountsAsync(
        [
            new Account(1, LedgerAssets.Gbp, (ushort)AccountCode.User, AccountFlags.DebitsMustNotExceedCredits),
            new Account(2, LedgerAssets.Gbp, (ushort)AccountCode.BankClearing),
        ]);
        (await store.CreateTransfersAsync([new Transfer(10, 2, 1, 2_000, LedgerAssets.Gbp, 1)])).ShouldBe([CreateTransferResult.Ok]);
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Ledger_Seeded_PrintsBalancesAndBalancedTotals()
    {
        await SeedAsync();

        var run = await L2pay.RunAsync("settle", "ledger", "--db", Db);

        run.ExitCode.ShouldBe(0, run.Stderr);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        var user = json.GetProperty("accounts")[0];
        user.GetProperty("id").GetString().ShouldBe("1");
        user.GetProperty("code").GetString().ShouldBe("User");
        user.GetProperty("creditsPosted").GetString().ShouldBe("2000");
        var gbp = json.GetProperty("totals")[0];
        gbp.GetProperty("debitsPosted").GetString().ShouldBe("2000");
        gbp.GetProperty("balanced").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task VerifyJournal_Untouched_OkExitZero()
    {
        await SeedAsync();

        var run = await L2pay.RunAsync("settle", "verify-journal", "--db", Db);

        run.ExitCode.ShouldBe(0, run.Stderr);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        json.GetProperty("ok").GetBoolean().ShouldBeTrue();
        json.GetProperty("entries").GetInt64().ShouldBe(3);
    }

    [Fact]
    public async Task VerifyJournal_RowEdited_NamesItAndExitsNonZero()
    {
        await SeedAsync();
        await using (var connection = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "DROP TRIGGER ledger_journal_no_update; UPDATE ledger_journal SET amount = X'00000000000000000000000000002710' WHERE seq = 3";
            await command.ExecuteNonQueryAsync();
        }

        var run = await L2pay.RunAsync("settle", "verify-journal", "--db", Db);

        run.ExitCode.ShouldBe(3);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        json.GetProperty("ok").GetBoolean().ShouldBeFalse();
        json.GetProperty("brokenSeq").GetInt64().ShouldBe(3);
    }

    [Fact]
    public async Task VerifyJournal_TailRewrittenConsistently_PassesAloneButFailsAgainstTheRecordedHead()
    {
        await SeedAsync();
        var recorded = JsonDocument.Parse((await L2pay.RunAsync("settle", "verify-journal", "--db", Db)).Stdout).RootElement.GetProperty("headHash").GetString()!;
        (await L2pay.RunAsync("settle", "verify-journal", "--db", Db, "--expect-head", recorded.ToUpperInvariant())).ExitCode.ShouldBe(0);

        // Whoever can write the file drops the last transfer and everything that shows it: the chain up to the new
        // head is intact and the balances replay, so only the hash recorded outside the database tells.
        await using (var connection = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "DROP TRIGGER ledger_journal_no_delete; DELETE FROM ledger_journal WHERE seq = 3; "
                + "UPDATE ledger_accounts SET debits_posted = zeroblob(16), credits_posted = zeroblob(16); "
                + "UPDATE ledger_head SET seq = 2, hash = (SELECT hash FROM ledger_journal WHERE seq = 2)";
            await command.ExecuteNonQueryAsync();
        }

        var alone = await L2pay.RunAsync("settle", "verify-journal", "--db", Db);
        alone.ExitCode.ShouldBe(0, alone.Stdout);
        var run = await L2pay.RunAsync("settle", "verify-journal", "--db", Db, "--expect-head", recorded);

        run.ExitCode.ShouldBe(3);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        json.GetProperty("ok").GetBoolean().ShouldBeFalse();
        json.GetProperty("entries").GetInt64().ShouldBe(2);
        json.GetProperty("expectedHead").GetString().ShouldBe(recorded);
        json.GetProperty("problem").GetString()!.ShouldContain($"is not the expected {recorded}");
    }

    [Fact]
    public async Task VerifyJournal_ExpectHeadNotAHash_UsageErrorNamingTheFlag()
    {
        await SeedAsync();

        var run = await L2pay.RunAsync("settle", "verify-journal", "--db", Db, "--expect-head", "abc");

        run.ExitCode.ShouldBe(1);
        run.Stderr.ShouldContain("--expect-head: a journal hash is 64 hex digits");
        run.Stdout.ShouldBeEmpty();
    }

    [Fact]
    public async Task Ledger_NoDatabaseFile_FailsWithoutCreatingOne()
    {
        var run = await L2pay.RunAsync("settle", "ledger", "--db", Db);

        run.ExitCode.ShouldBe(1);
        run.Stderr.ShouldContain("no ledger database");
        File.Exists(Db).ShouldBeFalse();
    }
}
