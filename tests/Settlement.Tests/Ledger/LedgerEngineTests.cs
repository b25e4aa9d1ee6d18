using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Ledger;

public sealed class LedgerEngineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static Transfer Move(UInt128 id, UInt128 debit, UInt128 credit, UInt128 amount, TransferFlags flags = TransferFlags.None) =>
        new(id, debit, credit, amount, LedgerAssets.Gbp, 1, flags);

    private static AccountBalances Balances(UInt128 id, AccountFlags flags, UInt128 debitsPosted = default, UInt128 creditsPosted = default) =>
        new(new Account(id, LedgerAssets.Gbp, 1, flags), 0, debitsPosted, 0, creditsPosted, T0);

    private static LedgerSnapshot Book()
    {
        var snapshot = new LedgerSnapshot();
        snapshot.Accounts[1] = Balances(1, AccountFlags.DebitsMustNotExceedCredits, creditsPosted: 100);
        snapshot.Accounts[2] = Balances(2, AccountFlags.None);
        snapshot.Accounts[3] = Balances(3, AccountFlags.CreditsMustNotExceedDebits, debitsPosted: 10);
        return snapshot;
    }

    [Fact]
    public void ValidateTransferFields_PostWithZeroAccountsAndAmount_Ok() =>
        LedgerEngine.ValidateTransferFields(new Transfer(5, 0, 0, 0, 0, 0, TransferFlags.PostPending, 4)).ShouldBe(CreateTransferResult.Ok);

    [Theory]
    [InlineData(TransferFlags.Pending | TransferFlags.VoidPending)]
    [InlineData(TransferFlags.PostPending | TransferFlags.VoidPending)]
    [InlineData(TransferFlags.Pending | TransferFlags.PostPending | TransferFlags.VoidPending)]
    public void ValidateTransferFields_TwoPhaseFlagsTogether_MutuallyExclusive(TransferFlags flags) =>
        LedgerEngine.ValidateTransferFields(Move(5, 1, 2, 1, flags) with { PendingId = 4 }).ShouldBe(CreateTransferResult.FlagsAreMutuallyExclusive);

    [Fact]
    public void ValidateTransferFields_TimeoutOnPending_Ok() =>
        LedgerEngine.ValidateTransferFields(Move(5, 1, 2, 1, TransferFlags.Pending) with { Timeout = 30 }).ShouldBe(CreateTransferResult.Ok);

    [Fact]
    public void ValidateAccountFields_Valid_Ok() =>
        LedgerEngine.ValidateAccountFields(new Account(1, LedgerAssets.Eth, 6, AccountFlags.Linked | AccountFlags.CreditsMustNotExceedDebits)).ShouldBe(CreateAccountResult.Ok);

    [Fact]
    public void CompareWithExisting_LinkedFlagOnlyDiffers_Exists() =>
        LedgerEngine.CompareWithExisting(Move(5, 1, 2, 3, TransferFlags.Linked), Move(5, 1, 2, 3)).ShouldBe(CreateTransferResult.Exists);

    [Fact]
    public void CompareWithExisting_PlainTransferWithZeroAmount_DifferentAmount() =>
        LedgerEngine.CompareWithExisting(Move(5, 1, 2, 0), Move(5, 1, 2, 3)).ShouldBe(CreateTransferResult.ExistsWithDifferentAmount);

    [Theory]
    [InlineData(100, CreateTransferResult.Ok)]
    [InlineData(101, CreateTransferResult.ExceedsCredits)]
    public void CheckBalances_DebitLimit_UpToPostedCredits(int amount, CreateTransferResult expected)
    {
        var book = Book();
        LedgerEngine.CheckBalances(book.Accounts[1], book.Accounts[2], (UInt128)amount, pending: false).ShouldBe(expected);
    }

    [Theory]
    [InlineData(10, CreateTransferResult.Ok)]
    [InlineData(11, CreateTransferResult.ExceedsDebits)]
    public void CheckBalances_CreditLimit_UpToPostedDebits(int amount, CreateTransferResult expected)
    {
        var book = Book();
        LedgerEngine.CheckBalances(book.Accounts[2], book.Accounts[3], (UInt128)amount, pending: true).ShouldBe(expected);
    }

    [Fact]
    public void CheckBalances_PendingAndPostedTogetherPastMax_Overflows()
    {
        var debit = Balances(2, AccountFlags.None) with { DebitsPending = UInt128.MaxValue / 2, DebitsPosted = UInt128.MaxValue / 2 };
        LedgerEngine.CheckBalances(debit, Balances(3, AccountFlags.None), 2, pending: false).ShouldBe(CreateTransferResult.OverflowsDebits);
    }

    [Fact]
    public void CreateTransfers_ChainFailsAfterItsFirstEvent_FirstUndoneAndNoEntries()
    {
        var outcome = LedgerEngine.CreateTransfers(
            [Move(10, 2, 1, 50, TransferFlags.Linked), Move(11, 1, 2, 1_000)], Book(), T0);

        outcome.Results.ShouldBe([CreateTransferResult.LinkedEventFailed, CreateTransferResult.ExceedsCredits]);
        outcome.Entries.ShouldBeEmpty();
        outcome.ChangedAccounts.ShouldBeEmpty();
    }

    [Fact]
    public void CreateTransfers_FailedChainThenGoodTransfer_OnlyTheGoodOneRecorded()
    {
        var outcome = LedgerEngine.CreateTransfers(
            [Move(10, 2, 1, 50, TransferFlags.Linked), Move(11, 1, 2, 1_000), Move(12, 2, 1, 7)], Book(), T0);

        outcome.Entries.Select(e => e.Id).ShouldBe([(UInt128)12]);
        outcome.ChangedAccounts[1].CreditsPosted.ShouldBe((UInt128)107);
        outcome.ChangedAccounts[2].DebitsPosted.ShouldBe((UInt128)7);
    }

    [Fact]
    public void CreateTransfers_PendingPostedThenExpiryCandidate_NotExpiredTwice()
    {
        var book = Book();
        var created = LedgerEngine.CreateTransfers([Move(10, 1, 2, 40, TransferFlags.Pending) with { Timeout = 5 }], book, T0);
        created.Results.ShouldBe([CreateTransferResult.Ok]);
        book.Accounts[1] = created.ChangedAccounts[1];
        book.Accounts[2] = created.ChangedAccounts[2];
        book.Transfers[10] = new StoredTransfer(Move(10, 1, 2, 40, TransferFlags.Pending) with { Timeout = 5 }, T0);

        var early = LedgerEngine.Expire([book.Transfers[10]], book, T0.AddSeconds(4));
        var due = LedgerEngine.Expire([book.Transfers[10]], book, T0.AddSeconds(5));
        book.Resolutions[10] = PendingResolution.Posted;
        var resolved = LedgerEngine.Expire([book.Transfers[10]], book, T0.AddSeconds(5));

        early.Results.ShouldBeEmpty();
        due.Results.ShouldBe([(UInt128)10]);
        due.ChangedAccounts[1].DebitsPending.ShouldBe(UInt128.Zero);
        resolved.Results.ShouldBeEmpty();
    }
}
