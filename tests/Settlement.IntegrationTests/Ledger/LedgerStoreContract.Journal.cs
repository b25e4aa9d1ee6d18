using FsCheck;
using FsCheck.Fluent;
using Settlement.Service.Ledger;

namespace Settlement.Service.IntegrationTests.Ledger;

public abstract partial class LedgerStoreContract
{
    [Fact]
    public async Task VerifyJournal_Untouched_OkWithEveryRow()
    {
        var store = await SeedAsync();

        var verification = await store.VerifyJournalAsync();

        verification.ShouldBe(verification with { Ok = true, Entries = 16, BrokenSeq = null, AccountId = null, Problem = null });
        verification.HeadHash.Length.ShouldBe(64);
    }

    [Fact]
    public async Task VerifyJournal_RowAmountEdited_NamesThatRow()
    {
        var store = await SeedAsync();

        await ExecuteAsync($"{DisableJournalTriggersSql} UPDATE ledger_journal SET amount = {Blob(60)} WHERE seq = 12");

        var verification = await OpenStore().VerifyJournalAsync();
        verification.Ok.ShouldBeFalse();
        verification.BrokenSeq.ShouldBe(12);
        verification.Entries.ShouldBe(11);
        verification.Problem.ShouldNotBeNull().ShouldContain("hash does not match");
    }

    [Fact]
    public async Task VerifyJournal_RowDeleted_NamesTheGap()
    {
        var store = await SeedAsync();

        await ExecuteAsync($"{DisableJournalTriggersSql} DELETE FROM ledger_journal WHERE seq = 9");

        var verification = await store.VerifyJournalAsync();
        verification.BrokenSeq.ShouldBe(10);
        verification.Problem.ShouldNotBeNull().ShouldContain("expected row 9");
    }

    [Fact]
    public async Task VerifyJournal_LastRowDeleted_HeadDisagrees()
    {
        var store = await SeedAsync();

        await ExecuteAsync($"{DisableJournalTriggersSql} DELETE FROM ledger_journal WHERE seq = 16");

        var verification = await store.VerifyJournalAsync();
        verification.Ok.ShouldBeFalse();
        verification.BrokenSeq.ShouldBe(16);
    }

    [Fact]
    public async Task VerifyJournal_BalanceEdited_NamesTheAccount()
    {
        var store = await SeedAsync();

        await ExecuteAsync($"UPDATE ledger_accounts SET credits_posted = {Blob(5_000)} WHERE id = {Blob(User)}");

        var verification = await store.VerifyJournalAsync();
        verification.Ok.ShouldBeFalse();
        verification.AccountId.ShouldBe((UInt128)User);
    }

    [Fact]
    public async Task Journal_UpdateOrDelete_RefusedByTrigger()
    {
        await SeedAsync();

        await Should.ThrowAsync<Exception>(() => ExecuteAsync($"UPDATE ledger_journal SET amount = {Blob(1)} WHERE seq = 1"));
        await Should.ThrowAsync<Exception>(() => ExecuteAsync("DELETE FROM ledger_journal WHERE seq = 1"));
    }

    /// <summary>
    /// Random streams of transfers between random accounts of two assets, each batch sometimes sent twice (a client
    /// that never saw the answer, e.g. after a crash of either side, retries on a new store instance): per asset
    /// Σ debits = Σ credits, every id that answered Ok is stored exactly once, balances equal the sum of the Ok
    /// transfers, and the journal verifies.
    /// </summary>
    [Fact]
    public async Task CreateTransfers_RandomStreamsWithRetries_ConservedAndEachIdOnce()
    {
        var store = OpenStore();
        var accountIds = Enumerable.Range(1, 6).Select(i => (UInt128)(ulong)i).ToList();
        (await store.CreateAccountsAsync(accountIds.Select(id => new Account(
            id, id <= 3 ? LedgerAssets.Gbp : LedgerAssets.Tgbp, (ushort)AccountCode.User, id == 1 || id == 4 ? AccountFlags.None : AccountFlags.DebitsMustNotExceedCredits)).ToList()))
            .ShouldAllBe(r => r == CreateAccountResult.Ok);
        var nextId = 1_000UL;
        var expected = accountIds.ToDictionary(id => id, _ => (Debits: UInt128.Zero, Credits: UInt128.Zero));
        var applied = new HashSet<UInt128>();

        void Record(Transfer t)
        {
            applied.Add(t.Id).ShouldBeTrue($"id {t.Id} applied twice");
            expected[t.DebitAccountId] = (expected[t.DebitAccountId].Debits + t.Amount, expected[t.DebitAccountId].Credits);
            expected[t.CreditAccountId] = (expected[t.CreditAccountId].Debits, expected[t.CreditAccountId].Credits + t.Amount);
        }

        var move =
            from source in Gen.Choose(0, 5)
            from target in Gen.Choose(0, 5)
            from amount in Gen.Choose(1, 500)
            from reuse in Gen.Choose(0, 9)
            select new RandomMove(source, target, amount, reuse);
        var batch =
            from moves in Gen.NonEmptyListOf(move)
            from retries in Gen.Choose(0, 2)
            select (Moves: moves, Retries: retries);
        var property = Prop.ForAll(Gen.NonEmptyListOf(batch).ToArbitrary(), batches =>
        {
            foreach (var (moves, retries) in batches)
            {
                var transfers = moves.Select(m =>
                {
                    var (from, to, amount, reuse) = (m.From, m.To, m.Amount, m.Reuse);
                    var id = reuse == 0 && applied.Count > 0 ? applied.First() : ++nextId;
                    var ledger = from <= 2 ? LedgerAssets.Gbp : LedgerAssets.Tgbp;
                    return Move(id, accountIds[from], accountIds[to], (ulong)amount, ledger);
                }).ToList();
                var results = OpenStore().CreateTransfersAsync(transfers).GetAwaiter().GetResult();
                for (var i = 0; i < transfers.Count; i++)
                {
                    if (results[i] == CreateTransferResult.Ok)
                    {
                        Record(transfers[i]);
                    }
                }

                for (var r = 0; r < retries; r++)
                {
                    // A retry may apply a transfer refused the first time (the batch's own earlier transfers funded
                    // it), but never one that was applied.
                    var again = OpenStore().CreateTransfersAsync(transfers).GetAwaiter().GetResult();
                    for (var i = 0; i < transfers.Count; i++)
                    {
                        if (again[i] == CreateTransferResult.Ok)
                        {
                            Record(transfers[i]);
                        }
                    }
                }
            }

            var accounts = store.ListAccountsAsync().GetAwaiter().GetResult();
            foreach (var ledger in new[] { LedgerAssets.Gbp, LedgerAssets.Tgbp })
            {
                var onLedger = accounts.Where(a => a.Account.Ledger == ledger).ToList();
                onLedger.Aggregate(UInt128.Zero, (sum, a) => sum + a.DebitsPosted).ShouldBe(onLedger.Aggregate(UInt128.Zero, (sum, a) => sum + a.CreditsPosted));
            }

            accounts.Select(a => (a.DebitsPosted, a.CreditsPosted)).ShouldBe(accountIds.Select(id => expected[id]));
            store.LookupTransfersAsync([.. applied]).GetAwaiter().GetResult().Count.ShouldBe(applied.Count);
            var verification = store.VerifyJournalAsync().GetAwaiter().GetResult();
            verification.Ok.ShouldBeTrue(verification.Problem);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(PropertyRuns), property);
        await Task.CompletedTask;
    }

    private sealed record RandomMove(int From, int To, int Amount, int Reuse);

    /// <summary>Runs of the property (PostgreSQL round trips cost more than SQLite's).</summary>
    protected virtual int PropertyRuns => 25;
}
