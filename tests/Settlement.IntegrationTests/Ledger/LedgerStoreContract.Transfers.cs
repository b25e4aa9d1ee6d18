using Settlement.Service.Ledger;

namespace Settlement.Service.IntegrationTests.Ledger;

public abstract partial class LedgerStoreContract
{
    private static readonly Transfer PostOpen = new(200, 0, 0, 0, 0, 0, TransferFlags.PostPending, PendingOpen);

    /// <summary>Every refusal of one transfer against the standard book, with its exact result.</summary>
    public static TheoryData<string, Transfer, CreateTransferResult> Refusals() => new()
    {
        { "reserved flag", Move(200, User, Merchant, 1, flags: (TransferFlags)0x100), CreateTransferResult.ReservedFlag },
        { "id 0", Move(0, User, Merchant, 1), CreateTransferResult.IdMustNotBeZero },
        { "id max", Move(UInt128.MaxValue, User, Merchant, 1), CreateTransferResult.IdMustNotBeIntMax },
        { "pending and post", Move(200, User, Merchant, 1, flags: TransferFlags.Pending | TransferFlags.PostPending), CreateTransferResult.FlagsAreMutuallyExclusive },
        { "post and void", PostOpen with { Flags = TransferFlags.PostPending | TransferFlags.VoidPending }, CreateTransferResult.FlagsAreMutuallyExclusive },
        { "no debit account", Move(200, 0, Merchant, 1), CreateTransferResult.DebitAccountIdMustNotBeZero },
        { "no credit account", Move(200, User, 0, 1), CreateTransferResult.CreditAccountIdMustNotBeZero },
        { "same account", Move(200, User, User, 1), CreateTransferResult.AccountsMustBeDifferent },
        { "pending id on a plain transfer", Move(200, User, Merchant, 1) with { PendingId = PendingOpen }, CreateTransferResult.PendingIdMustBeZero },
        { "post without pending id", PostOpen with { PendingId = 0 }, CreateTransferResult.PendingIdMustNotBeZero },
        { "post of itself", PostOpen with { PendingId = 200 }, CreateTransferResult.PendingIdMustBeDifferent },
        { "timeout on a plain transfer", Move(200, User, Merchant, 1) with { Timeout = 5 }, CreateTransferResult.TimeoutReservedForPendingTransfer },
        { "timeout on a post", PostOpen with { Timeout = 5 }, CreateTransferResult.TimeoutReservedForPendingTransfer },
        { "amount 0", Move(200, User, Merchant, 0), CreateTransferResult.AmountMustNotBeZero },
        { "ledger 0", Move(200, User, Merchant, 1, ledger: 0), CreateTransferResult.LedgerMustNotBeZero },
        { "code 0", Move(200, User, Merchant, 1) with { Code = 0 }, CreateTransferResult.CodeMustNotBeZero },
        { "unknown debit account", Move(200, 999, Merchant, 1), CreateTransferResult.DebitAccountNotFound },
        { "unknown credit account", Move(200, User, 999, 1), CreateTransferResult.CreditAccountNotFound },
        { "GBP to tGBP", Move(200, User, Treasury, 1), CreateTransferResult.LedgerMismatch },
        { "tGBP transfer between GBP accounts", Move(200, User, Merchant, 1, ledger: LedgerAssets.Tgbp), CreateTransferResult.TransferLedgerMismatch },
        { "post of an unknown transfer", PostOpen with { PendingId = 999 }, CreateTransferResult.PendingTransferNotFound },
        { "post of a posted plain transfer", PostOpen with { PendingId = Posted }, CreateTransferResult.PendingTransferNotPending },
        { "post naming another debit account", PostOpen with { DebitAccountId = Clearing }, CreateTransferResult.PendingTransferHasDifferentDebitAccountId },
        { "post naming another credit account", PostOpen with { CreditAccountId = Clearing }, CreateTransferResult.PendingTransferHasDifferentCreditAccountId },
        { "post naming another ledger", PostOpen with { Ledger = LedgerAssets.Tgbp }, CreateTransferResult.PendingTransferHasDifferentLedger },
        { "post naming another code", PostOpen with { Code = 11 }, CreateTransferResult.PendingTransferHasDifferentCode },
        { "post of more than pending", PostOpen with { Amount = 201 }, CreateTransferResult.ExceedsPendingTransferAmount },
        { "void of part", PostOpen with { Flags = TransferFlags.VoidPending, Amount = 199 }, CreateTransferResult.PendingTransferHasDifferentAmount },
        { "post of a posted pending", PostOpen with { PendingId = PendingPosted }, CreateTransferResult.PendingTransferAlreadyPosted },
        { "void of a posted pending", PostOpen with { PendingId = PendingPosted, Flags = TransferFlags.VoidPending }, CreateTransferResult.PendingTransferAlreadyPosted },
        { "post of a voided pending", PostOpen with { PendingId = PendingVoided }, CreateTransferResult.PendingTransferAlreadyVoided },
        { "repeat, other flags", Move(Posted, User, Merchant, 50, flags: TransferFlags.Pending), CreateTransferResult.ExistsWithDifferentFlags },
        { "repeat, other debit", Move(Posted, Clearing, Merchant, 50), CreateTransferResult.ExistsWithDifferentDebitAccountId },
        { "repeat, other credit", Move(Posted, User, Clearing, 50), CreateTransferResult.ExistsWithDifferentCreditAccountId },
        { "repeat, other amount", Move(Posted, User, Merchant, 51), CreateTransferResult.ExistsWithDifferentAmount },
        { "repeat of a post, other pending id", new Transfer(104, 0, 0, 0, 0, 0, TransferFlags.PostPending, PendingOpen), CreateTransferResult.ExistsWithDifferentPendingId },
        { "repeat of a pending, other timeout", Move(PendingOpen, User, Merchant, 200, flags: TransferFlags.Pending) with { Timeout = 61 }, CreateTransferResult.ExistsWithDifferentTimeout },
        { "repeat, other ledger", Move(Posted, User, Merchant, 50, ledger: LedgerAssets.Eth), CreateTransferResult.ExistsWithDifferentLedger },
        { "repeat, other code", Move(Posted, User, Merchant, 50) with { Code = 11 }, CreateTransferResult.ExistsWithDifferentCode },
        { "repeat, other user data", Move(Posted, User, Merchant, 50) with { UserData = 7 }, CreateTransferResult.ExistsWithDifferentUserData },
        { "repeat, same fields", Move(Posted, User, Merchant, 50), CreateTransferResult.Exists },
        { "repeat of a post, same fields", new Transfer(104, 0, 0, 0, 0, 0, TransferFlags.PostPending, PendingPosted), CreateTransferResult.Exists },
        { "repeat of a post, fields spelled out", new Transfer(104, User, Merchant, 30, LedgerAssets.Gbp, 10, TransferFlags.PostPending, PendingPosted), CreateTransferResult.Exists },
        { "user overdraft", Move(200, User, Merchant, 1_000), CreateTransferResult.ExceedsCredits },
        { "pending overdraft", Move(200, User, Merchant, 1_000, flags: TransferFlags.Pending), CreateTransferResult.ExceedsCredits },
        { "escrow credited beyond its debits", Move(200, Treasury, Escrow, 1, ledger: LedgerAssets.Tgbp), CreateTransferResult.ExceedsDebits },
        { "debits past 2^128", Move(200, BigSource, Spare, 100), CreateTransferResult.OverflowsDebits },
        { "credits past 2^128", Move(200, Spare, Big, 100), CreateTransferResult.OverflowsCredits },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task CreateTransfers_Refused_ExactResultAndNothingChanged(string why, Transfer transfer, CreateTransferResult expected)
    {
        var store = await SeedAsync();
        var before = await SnapshotAsync(store);
        var journal = await store.VerifyJournalAsync();

        var results = await OpenStore().CreateTransfersAsync([transfer]);

        results.ShouldBe([expected], why);
        (await SnapshotAsync(store)).ShouldBe(before, why);
        var after = await store.VerifyJournalAsync();
        after.Ok.ShouldBeTrue(after.Problem);
        after.Entries.ShouldBe(journal.Entries, why);
    }

    [Fact]
    public async Task CreateTransfers_Seeded_BalancesAsExpected()
    {
        var store = await SeedAsync();

        var accounts = await SnapshotAsync(store);

        // 1000 in; 50 posted; 30 posted from a pending; 200 still pending; 20 voided.
        Find(accounts, User).ShouldBe(new AccountBalances(UserAccount(User), 200, 80, 0, 1_000, T0));
        var merchant = Find(accounts, Merchant);
        (merchant.DebitsPosted, merchant.CreditsPending, merchant.CreditsPosted).ShouldBe((UInt128.Zero, (UInt128)200, (UInt128)80));
        Find(accounts, Clearing).DebitsPosted.ShouldBe((UInt128)1_000);
        var lookup = await store.LookupTransfersAsync([104, PendingPosted, 999]);
        lookup.Select(t => t.Transfer.Id).ShouldBe([(UInt128)PendingPosted, 104]);
        lookup[1].Transfer.ShouldBe(new Transfer(104, User, Merchant, 30, LedgerAssets.Gbp, 10, TransferFlags.PostPending, PendingPosted));
    }

    [Fact]
    public async Task CreateTransfers_Retried_ExistsAndAppliedOnce()
    {
        var store = await SeedAsync();
        var batch = new[] { Move(300, User, Merchant, 5), Move(301, Clearing, User, 7) };
        (await store.CreateTransfersAsync(batch)).ShouldBe([CreateTransferResult.Ok, CreateTransferResult.Ok]);
        var after = await SnapshotAsync(store);

        var retry = await OpenStore().CreateTransfersAsync(batch);

        retry.ShouldBe([CreateTransferResult.Exists, CreateTransferResult.Exists]);
        (await SnapshotAsync(store)).ShouldBe(after);
    }

    [Fact]
    public async Task CreateTransfers_SameIdTwiceInOneBatch_SecondExists()
    {
        var store = await SeedAsync();

        var results = await store.CreateTransfersAsync([Move(300, Clearing, User, 5), Move(300, Clearing, User, 5), Move(300, Clearing, User, 6)]);

        results.ShouldBe([CreateTransferResult.Ok, CreateTransferResult.Exists, CreateTransferResult.ExistsWithDifferentAmount]);
        Find(await SnapshotAsync(store), User).CreditsPosted.ShouldBe((UInt128)1_005);
    }

    [Fact]
    public async Task CreateTransfers_PostPartOfPending_RestReleased()
    {
        var store = await SeedAsync();

        var results = await store.CreateTransfersAsync([PostOpen with { Amount = 150 }]);

        results.ShouldBe([CreateTransferResult.Ok]);
        var accounts = await SnapshotAsync(store);
        (Find(accounts, User).DebitsPending, Find(accounts, User).DebitsPosted).ShouldBe((UInt128.Zero, (UInt128)230));
        (Find(accounts, Merchant).CreditsPending, Find(accounts, Merchant).CreditsPosted).ShouldBe((UInt128.Zero, (UInt128)230));
        (await store.CreateTransfersAsync([PostOpen with { Id = 201 }])).ShouldBe([CreateTransferResult.PendingTransferAlreadyPosted]);
    }

    [Fact]
    public async Task CreateTransfers_PendingInTheSameBatch_PostedInOrder()
    {
        var store = await SeedAsync();

        var results = await store.CreateTransfersAsync(
        [
            Move(300, Clearing, User, 10, flags: TransferFlags.Pending),
            new Transfer(301, 0, 0, 0, 0, 0, TransferFlags.PostPending, 300),
            new Transfer(302, 0, 0, 0, 0, 0, TransferFlags.VoidPending, 300),
        ]);

        results.ShouldBe([CreateTransferResult.Ok, CreateTransferResult.Ok, CreateTransferResult.PendingTransferAlreadyPosted]);
        Find(await SnapshotAsync(store), User).CreditsPosted.ShouldBe((UInt128)1_010);
    }

    [Fact]
    public async Task CreateTransfers_PendingTimedOut_PostRefusedAndExpiryReleases()
    {
        var store = await SeedAsync();
        Clock.Advance(TimeSpan.FromSeconds(60));
        var before = await SnapshotAsync(store);

        (await store.CreateTransfersAsync([PostOpen])).ShouldBe([CreateTransferResult.PendingTransferExpired]);
        (await SnapshotAsync(store)).ShouldBe(before);

        (await OpenStore().ExpirePendingAsync()).ShouldBe([(UInt128)PendingOpen]);
        (await store.ExpirePendingAsync()).ShouldBeEmpty();
        var accounts = await SnapshotAsync(store);
        Find(accounts, User).DebitsPending.ShouldBe(UInt128.Zero);
        Find(accounts, Merchant).CreditsPending.ShouldBe(UInt128.Zero);
        (await store.CreateTransfersAsync([PostOpen with { Flags = TransferFlags.VoidPending }])).ShouldBe([CreateTransferResult.PendingTransferExpired]);
        (await store.VerifyJournalAsync()).Ok.ShouldBeTrue();
    }

    [Fact]
    public async Task CreateTransfers_PendingBeforeTimeout_Posted()
    {
        var store = await SeedAsync();
        Clock.Advance(TimeSpan.FromSeconds(59));

        (await store.CreateTransfersAsync([PostOpen])).ShouldBe([CreateTransferResult.Ok]);
        (await store.ExpirePendingAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task CreateTransfers_LinkedChainWithAFailure_NoneAppliedOthersStillApply()
    {
        var store = await SeedAsync();
        var before = await SnapshotAsync(store);

        var results = await store.CreateTransfersAsync(
        [
            Move(300, Clearing, User, 10, flags: TransferFlags.Linked),
            Move(301, User, Merchant, 5_000, flags: TransferFlags.Linked),
            Move(302, User, Merchant, 1),
            Move(303, Clearing, Merchant, 4),
        ]);

        results.ShouldBe([CreateTransferResult.LinkedEventFailed, CreateTransferResult.ExceedsCredits, CreateTransferResult.LinkedEventFailed, CreateTransferResult.Ok]);
        var after = await SnapshotAsync(store);
        Find(after, User).ShouldBe(Find(before, User));
        Find(after, Merchant).CreditsPosted.ShouldBe(Find(before, Merchant).CreditsPosted + 4);
        (await store.LookupTransfersAsync([300, 301, 302])).ShouldBeEmpty();
    }

    [Fact]
    public async Task CreateTransfers_LinkedChainAllGood_AllApplied()
    {
        var store = await SeedAsync();

        var results = await store.CreateTransfersAsync(
            [Move(300, Clearing, User, 10, flags: TransferFlags.Linked), Move(301, User, Merchant, 730, flags: TransferFlags.Linked), Move(302, Merchant, Clearing, 5)]);

        results.ShouldAllBe(r => r == CreateTransferResult.Ok);
    }

    [Fact]
    public async Task CreateTransfers_BatchEndsInsideAChain_ChainOpenNothingApplied()
    {
        var store = await SeedAsync();
        var before = await SnapshotAsync(store);

        var results = await store.CreateTransfersAsync([Move(300, Clearing, User, 10, flags: TransferFlags.Linked), Move(301, Clearing, User, 10, flags: TransferFlags.Linked)]);

        results.ShouldBe([CreateTransferResult.LinkedEventFailed, CreateTransferResult.LinkedEventChainOpen]);
        (await SnapshotAsync(store)).ShouldBe(before);
    }

    [Fact]
    public async Task CreateTransfers_ParallelWriters_NoLostUpdates()
    {
        var store = await SeedAsync();
        const int Writers = 6;
        const int Batches = 15;
        const int PerBatch = 20;

        // Every writer credits the same user and debits the same clearing account: the hottest possible rows.
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var own = OpenStore();
            for (var b = 0; b < Batches; b++)
            {
                var batch = Enumerable.Range(0, PerBatch).Select(i => Move(1_000_000 + (ulong)((((w * Batches) + b) * PerBatch) + i), Clearing, User, 1)).ToList();
                (await own.CreateTransfersAsync(batch)).ShouldAllBe(r => r == CreateTransferResult.Ok);
            }
        })));

        var accounts = await SnapshotAsync(store);
        Find(accounts, User).CreditsPosted.ShouldBe((UInt128)(1_000 + (Writers * Batches * PerBatch)));
        Find(accounts, Clearing).DebitsPosted.ShouldBe((UInt128)(1_000 + (Writers * Batches * PerBatch)));
        var verification = await store.VerifyJournalAsync();
        verification.Ok.ShouldBeTrue(verification.Problem);
    }

    [Fact]
    public async Task CreateTransfers_ParallelPostsOfOnePending_ExactlyOneWins()
    {
        var store = await SeedAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => OpenStore().CreateTransfersAsync([PostOpen with { Id = (UInt128)(500 + i) }]))));

        results.Count(r => r[0] == CreateTransferResult.Ok).ShouldBe(1);
        results.Count(r => r[0] == CreateTransferResult.PendingTransferAlreadyPosted).ShouldBe(7);
        Find(await SnapshotAsync(store), Merchant).CreditsPosted.ShouldBe((UInt128)280);
    }
}
