using System.Text.Json;
using Microsoft.Data.Sqlite;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Cli.Tests.Settle;

/// <summary>
/// <c>l2pay settle reconcile|report</c> on a prepared ledger (a real SQLite ledger + flow store, one top-up driven by
/// <see cref="SettlementFlows"/>: completed at the bank, credited, its channel funding reverted, so it stays in the
/// user's funds) and a transfer database holding the bank's records of it.
/// </summary>
public sealed class ReconcileVerbTests : IDisposable
{
    private const string Stream = "31337:0x4444444444444444444444444444444444444444:0x5555555555555555555555555555555555555555";
    private const string StrayOperation = "0b5c8a3e1d2f4e6a9b7c8d9e0f1a2b3c";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "l2pay-reconcile-" + Guid.NewGuid().ToString("N"));

    public ReconcileVerbTests() => Directory.CreateDirectory(_dir);

    private string Db => Path.Combine(_dir, "ledger.db");

    private string BankDb => Path.Combine(_dir, "transfers.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Reconcile_BankAndLedgerAgree_PrintsJsonReportExitZero()
    {
        var flow = await PrepareAsync();
        var bankBefore = await File.ReadAllBytesAsync(BankDb);

        var run = await L2pay.RunAsync("settle", "reconcile", "--db", Db, "--bank-db", BankDb, "--stream", Stream);

        run.ExitCode.ShouldBe(0, run.Stderr);
        (await File.ReadAllBytesAsync(BankDb)).ShouldBe(bankBefore);
        var pairings = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("pairings");
        pairings.GetArrayLength().ShouldBe(2);
        var bank = pairings[0];
        bank.GetProperty("name").GetString().ShouldBe("bank-ledger");
        bank.GetProperty("breaks").GetArrayLength().ShouldBe(0);
        bank.GetProperty("totals").GetProperty("matches").GetInt32().ShouldBe(1);
        pairings[1].GetProperty("name").GetString().ShouldBe("chain-ledger");
        pairings[1].GetProperty("breaks").GetArrayLength().ShouldBe(0);
        flow.State.ShouldBe(TopupFlowState.FundingFailed);
    }

    [Fact]
    public async Task Reconcile_BankRecordWithoutLedgerTransfer_ExitThreeNamingIt()
    {
        await PrepareAsync();
        await InsertOperationAsync(StrayOperation, "Topup", "Completed", 700);

        var run = await L2pay.RunAsync("settle", "reconcile", "--db", Db, "--bank-db", BankDb, "--stream", Stream);

        run.ExitCode.ShouldBe(3, run.Stderr);
        var broken = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("pairings")[0].GetProperty("breaks").EnumerateArray().ShouldHaveSingleItem();
        broken.GetProperty("reason").GetString().ShouldBe("MissingInLedger");
        broken.GetProperty("records")[0].GetProperty("id").GetString().ShouldBe(Guid.ParseExact(StrayOperation, "N").ToString());
        run.Stderr.ShouldContain("1 break(s)");
    }

    [Fact]
    public async Task Reconcile_TableToFile_WritesTheReportAndASummary()
    {
        await PrepareAsync();
        await InsertOperationAsync(StrayOperation, "Payout", "Completed", 300);
        var file = Path.Combine(_dir, "report.txt");

        var run = await L2pay.RunAsync("settle", "reconcile", "--db", Db, "--bank-db", BankDb, "--stream", Stream, "--format", "table", "--out", file);

        run.ExitCode.ShouldBe(3, run.Stderr);
        var summary = JsonDocument.Parse(run.Stdout).RootElement;
        summary.GetProperty("breaks").GetInt32().ShouldBe(1);
        summary.GetProperty("format").GetString().ShouldBe("table");
        var table = await File.ReadAllTextAsync(file);
        table.ShouldContain("bank-ledger");
        table.ShouldContain("MissingInLedger");
        table.ShouldContain("-300");
    }

    [Fact]
    public async Task Reconcile_Csv_HeaderAndNoRowsWhenClean()
    {
        await PrepareAsync();

        var run = await L2pay.RunAsync("settle", "reconcile", "--db", Db, "--bank-db", BankDb, "--stream", Stream, "--format", "csv");

        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.ShouldBe("pairing,item,reason,source,id,reference,asset,amount,at,kind,counterparty,difference,detail\r\n");
    }

    [Fact]
    public async Task Report_PrintsTotalsBalancesFlowsReconciliationAndJournal()
    {
        var flow = await PrepareAsync();

        var run = await L2pay.RunAsync("settle", "report", "--db", Db, "--bank-db", BankDb, "--stream", Stream);

        run.ExitCode.ShouldBe(0, run.Stderr);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        var gbp = json.GetProperty("ledgerTotals").EnumerateArray().Single(t => t.GetProperty("ledger").GetUInt32() == 1);
        gbp.GetProperty("debitsPosted").GetString().ShouldBe("1500");
        gbp.GetProperty("balanced").GetBoolean().ShouldBeTrue();
        var balances = json.GetProperty("gbpBalances");
        balances.GetProperty("bankClearing").GetString().ShouldBe("-1500");
        balances.GetProperty("userFundsTotal").GetString().ShouldBe("1500");
        balances.GetProperty("stablecoinReserve").GetString().ShouldBe("0");
        balances.GetProperty("fees").GetString().ShouldBe("0");
        balances.GetProperty("merchantPayableTotal").GetString().ShouldBe("0");
        var flows = json.GetProperty("flows");
        flows.GetProperty("total").GetInt32().ShouldBe(1);
        var state = flows.GetProperty("byKindAndState").EnumerateArray().ShouldHaveSingleItem();
        (state.GetProperty("kind").GetString(), state.GetProperty("state").GetString(), state.GetProperty("count").GetInt32()).ShouldBe(("Topup", "FundingFailed", 1));
        flows.GetProperty("needingAttention").EnumerateArray().ShouldHaveSingleItem().GetProperty("id").GetString().ShouldBe(flow.Id.ToString());
        var reconciliation = json.GetProperty("reconciliation");
        reconciliation.GetProperty("breaks").GetInt32().ShouldBe(0);
        reconciliation.GetProperty("pairings")[0].GetProperty("matches").GetInt32().ShouldBe(1);
        var journal = json.GetProperty("journal");
        journal.GetProperty("ok").GetBoolean().ShouldBeTrue();
        journal.GetProperty("entries").GetInt64().ShouldBeGreaterThan(0);
        journal.GetProperty("headHash").GetString()!.Length.ShouldBe(64);
    }

    [Fact]
    public async Task Report_WithBreaks_ExitThreeAndBreaksByReason()
    {
        await PrepareAsync();
        await InsertOperationAsync(StrayOperation, "Topup", "Completed", 700);

        var run = await L2pay.RunAsync("settle", "report", "--db", Db, "--bank-db", BankDb, "--stream", Stream);

        run.ExitCode.ShouldBe(3, run.Stderr);
        var pairing = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("reconciliation").GetProperty("pairings")[0];
        pairing.GetProperty("breaksByReason").GetProperty("MissingInLedger").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task Reconcile_UnknownFormat_UsageErrorNamingTheOption()
    {
        await PrepareAsync();

        var run = await L2pay.RunAsync("settle", "reconcile", "--db", Db, "--bank-db", BankDb, "--stream", Stream, "--format", "xml");

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("--format must be json, csv or table, not 'xml'");
        run.Stdout.ShouldBeEmpty();
    }

    [Fact]
    public async Task Reconcile_MissingBankDatabase_UsageErrorNamingTheOption()
    {
        await PrepareAsync();

        var run = await L2pay.RunAsync("settle", "reconcile", "--db", Db, "--bank-db", Path.Combine(_dir, "nope.db"), "--stream", Stream);

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("--bank-db: no transfer database at");
        File.Exists(Path.Combine(_dir, "nope.db")).ShouldBeFalse();
    }

    [Fact]
    public async Task Reconcile_MissingLedgerDatabase_Refused()
    {
        await PrepareAsync();

        var run = await L2pay.RunAsync("settle", "reconcile", "--db", Path.Combine(_dir, "none.db"), "--bank-db", BankDb, "--stream", Stream);

        run.ExitCode.ShouldBe(1);
        run.Stderr.ShouldContain("no ledger database at");
    }

    [Fact]
    public async Task Reconcile_NoStream_RequiredOptionNamed()
    {
        await PrepareAsync();

        var run = await L2pay.RunAsync("settle", "reconcile", "--db", Db, "--bank-db", BankDb);

        run.ExitCode.ShouldNotBe(0);
        run.Stderr.ShouldContain("--stream");
    }

    /// <summary>One top-up of 1500p: completed at the bank, credited, its funding reverted on chain (money stays in the user's funds).</summary>
    private async Task<TopupFlow> PrepareAsync()
    {
        var clock = new FixedClock();
        var store = new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = Db }, clock);
        await store.MigrateAsync();
        var bank = new CompletingBank();
        var flows = new SettlementFlows(store, store, bank, new RevertingChain(), new NeverConfirmed(), new NoBalances(), new PayoutOptions { ChainId = 31337 }, clock);
        var start = await flows.StartTopupAsync(new TopupRequest
        {
            FlowId = Guid.Parse("5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"), UserId = "user-1", Bank = "sandbox", AmountPence = 1_500,
            PayerAddress = "0x1111111111111111111111111111111111111111", PayeeAddress = "0x2222222222222222222222222222222222222222",
        });
        var flow = start.Flow!;
        await CreateBankDatabaseAsync();
        await InsertOperationAsync(flow.BankOperationId.ToString("N"), "Topup", "Completed", 1_500);
        SqliteConnection.ClearAllPools();
        return flow;
    }

    private async Task CreateBankDatabaseAsync()
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = BankDb, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();

        // The columns and journal mode of the open-banking transfer store's table (src/OpenBanking/Transfers/SqliteTransferStore.cs).
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE transfer_operations (
                id TEXT PRIMARY KEY, kind TEXT NOT NULL, bank TEXT NOT NULL, state TEXT NOT NULL,
                amount_minor INTEGER NOT NULL CHECK (amount_minor > 0), currency TEXT NOT NULL CHECK (length(currency) = 3),
                instruction_json TEXT NOT NULL, consent_idempotency_key TEXT NOT NULL, payment_idempotency_key TEXT NOT NULL,
                consent_id TEXT, consent_status TEXT, auth_state TEXT, auth_url TEXT, auth_nonce TEXT, code_verifier TEXT,
                payment_id TEXT, payment_status TEXT, unrecognised_status TEXT, last_error TEXT,
                version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
            """;
        await command.ExecuteNonQueryAsync();
    }

    private async Task InsertOperationAsync(string id, string kind, string state, long pence)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = BankDb, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO transfer_operations (id, kind, bank, state, amount_minor, currency, instruction_json, consent_idempotency_key, payment_idempotency_key,
                payment_id, payment_status, version, created_at, updated_at)
            VALUES ($id, $kind, 'sandbox', $state, $amount, 'GBP', '{}', $id || '-c', $id || '-p', 'pay-' || $id, 'ACSC', 4, $at, $at)
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$state", state);
        command.Parameters.AddWithValue("$amount", pence);
        command.Parameters.AddWithValue("$at", "2026-03-01T12:00:00.0000000Z");
        await command.ExecuteNonQueryAsync();
    }

    private sealed class CompletingBank : IBankPayments
    {
        public Task<BankPaymentResult> StartTopupAsync(BankTopup topup, CancellationToken cancellationToken) =>
            Task.FromResult(new BankPaymentResult(topup.OperationId, BankPaymentStatus.Completed));

        public Task<BankPaymentResult> StartPayoutAsync(BankPayout payout, CancellationToken cancellationToken) =>
            Task.FromResult(new BankPaymentResult(payout.OperationId, BankPaymentStatus.Completed));

        public Task<BankPaymentResult> GetStatusAsync(Guid operationId, CancellationToken cancellationToken) =>
            Task.FromResult(new BankPaymentResult(operationId, BankPaymentStatus.Completed));
    }

    private sealed class RevertingChain : IChainActions
    {
        private static ChainActionResult Reverted => new(ChainActionStatus.Reverted, "0x" + new string('a', 64), 7, null, "execution reverted");

        public Task<ChainActionResult> FundNewChannelAsync(string stepKey, string payer, string payee, UInt128 amount, CancellationToken cancellationToken) => Task.FromResult(Reverted);

        public Task<ChainActionResult> TopUpChannelAsync(string stepKey, string channelId, UInt128 amount, CancellationToken cancellationToken) => Task.FromResult(Reverted);

        public Task<ChainActionResult> BurnFromAsync(string stepKey, string holder, UInt128 amount, CancellationToken cancellationToken) => Task.FromResult(Reverted);
    }

    /// <summary>The ledger's and the flows' clock: the time the bank records carry.</summary>
    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    }

    private sealed class NeverConfirmed : IChainConfirmations
    {
        public Task<bool> IsConfirmedAsync(string transactionHash, ChainEventKind kind, CancellationToken cancellationToken) => Task.FromResult(false);
    }

    private sealed class NoBalances : IMerchantBalances
    {
        public Task<UInt128> GetBalanceAsync(PayoutMerchant merchant, CancellationToken cancellationToken) => Task.FromResult(UInt128.Zero);
    }
}
