using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Ledger;

/// <summary>
/// <see cref="LedgerEngine"/> at its edges: 128-bit overflow exactly at 2^128 − 1, a pending transfer's expiry to the
/// tick, a failed linked chain undoing its accounts, transfers and resolutions within the batch, and the faults a store
/// causes by not loading what the engine needs. Balances are worked out by hand.
/// </summary>
public sealed class LedgerEngineEdgeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static Transfer Move(UInt128 id, UInt128 debit, UInt128 credit, UInt128 amount, TransferFlags flags = TransferFlags.None) =>
        new(id, debit, credit, amount, LedgerAssets.Gbp, 1, flags);

    private static Transfer Post(UInt128 id, UInt128 pendingId, UInt128 amount = default) => new(id, 0, 0, amount, 0, 0, TransferFlags.PostPending, pendingId);

    private static Transfer Void(UInt128 id, UInt128 pendingId, UInt128 amount = default) => new(id, 0, 0, amount, 0, 0, TransferFlags.VoidPending, pendingId);

    private static AccountBalances Balances(UInt128 id, AccountFlags flags = AccountFlags.None) => new(new Account(id, LedgerAssets.Gbp, 1, flags), 0, 0, 0, 0, T0);

    /// <summary>1: no overdraft, 100 posted credits; 2 and 3: no limits.</summary>
    private static LedgerSnapshot Book()
    {
        var snapshot = new LedgerSnapshot();
        snapshot.Accounts[1] = Balances(1, AccountFlags.DebitsMustNotExceedCredits) with { CreditsPosted = 100 };
        snapshot.Accounts[2] = Balances(2);
        snapshot.Accounts[3] = Balances(3);
        return snapshot;
    }

    [Theory]
    [InlineData(5, CreateTransferResult.Ok)]
    [InlineData(6, CreateTransferResult.OverflowsDebits)]
    public void CheckBalances_DebitsReachingMax_OkUpToMaxExactly(int amount, CreateTransferResult expected) =>
        LedgerEngine.CheckBalances(Balances(2) with { DebitsPosted = UInt128.MaxValue - 5 }, Balances(3), (UInt128)amount, pending: false).ShouldBe(expected);

    [Theory]
    [InlineData(5, CreateTransferResult.Ok)]
    [InlineData(6, CreateTransferResult.OverflowsCredits)]
    public void CheckBalances_PendingCreditsReachingMax_OkUpToMaxExactly(int amount, CreateTransferResult expected) =>
        LedgerEngine.CheckBalances(Balances(2), Balances(3) with { CreditsPending = UInt128.MaxValue - 5 }, (UInt128)amount, pending: true).ShouldBe(expected);

    [Fact]
    public void CheckBalances_CreditTotalsPastMaxThoughEachPartFits_OverflowsCredits() =>
        LedgerEngine.CheckBalances(Balances(2), Balances(3) with { CreditsPending = UInt128.MaxValue / 2, CreditsPosted = UInt128.MaxValue / 2 }, 2, pending: false)
            .ShouldBe(CreateTransferResult.OverflowsCredits);

    [Fact]
    public void CheckBalances_NoOverdraftAccountDebitedToItsCreditsWithPending_Ok() =>
        LedgerEngine.CheckBalances(
                Balances(1, AccountFlags.DebitsMustNotExceedCredits) with { CreditsPosted = 100, DebitsPending = 30, DebitsPosted = 20, CreditsPending = 500 },
                Balances(2), 50, pending: false)
            .ShouldBe(CreateTransferResult.Ok); // 30 + 20 + 50 = 100; pending credits do not count

    [Theory]
    [InlineData(true, CreateTransferResult.OverflowsDebits)]
    [InlineData(false, CreateTransferResult.OverflowsCredits)]
    public void CreateTransfers_PostPastMaxPosted_RefusedAndNothingApplied(bool debitSide, CreateTransferResult expected)
    {
        var book = Book();
        book.Accounts[2] = book.Accounts[2] with { DebitsPending = 10, DebitsPosted = debitSide ? UInt128.MaxValue - 9 : 0 };
        book.Accounts[3] = book.Accounts[3] with { CreditsPending = 10, CreditsPosted = debitSide ? 0 : UInt128.MaxValue - 9 };
        book.Transfers[20] = new StoredTransfer(Move(20, 2, 3, 10, TransferFlags.Pending), T0);

        var outcome = LedgerEngine.CreateTransfers([Post(21, 20)], book, T0);

        outcome.Results.ShouldBe([expected]);
        outcome.Entries.ShouldBeEmpty();
        outcome.ChangedAccounts.ShouldBeEmpty();
    }

    [Fact]
    public void CreateTransfers_PostReachingMaxExactly_PostsIt()
    {
        var book = Book();
        book.Accounts[2] = book.Accounts[2] with { DebitsPending = 10, DebitsPosted = UInt128.MaxValue - 9 };
        book.Accounts[3] = book.Accounts[3] with { CreditsPending = 10, CreditsPosted = UInt128.MaxValue - 9 };
        book.Transfers[20] = new StoredTransfer(Move(20, 2, 3, 10, TransferFlags.Pending), T0);

        var outcome = LedgerEngine.CreateTransfers([Post(21, 20, 9)], book, T0);

        outcome.Results.ShouldBe([CreateTransferResult.Ok]);
        outcome.ChangedAccounts[2].ShouldBe(Balances(2) with { DebitsPosted = UInt128.MaxValue });
        outcome.ChangedAccounts[3].ShouldBe(Balances(3) with { CreditsPosted = UInt128.MaxValue });
    }

    [Theory]
    [InlineData(-1, CreateTransferResult.Ok)]
    [InlineData(0, CreateTransferResult.PendingTransferExpired)]
    [InlineData(1, CreateTransferResult.PendingTransferExpired)]
    public void CreateTransfers_PostAroundTheTimeout_ExpiredFromTheTickItFallsDue(long ticksFromDue, CreateTransferResult expected)
    {
        var book = Book();
        var pending = Move(20, 2, 3, 10, TransferFlags.Pending) with { Timeout = 30 };
        var created = LedgerEngine.CreateTransfers([pending], book, T0);
        book.Accounts[2] = created.ChangedAccounts[2];
        book.Accounts[3] = created.ChangedAccounts[3];
        book.Transfers[20] = new StoredTransfer(pending, T0);

        LedgerEngine.CreateTransfers([Post(21, 20)], book, T0.AddSeconds(30).AddTicks(ticksFromDue)).Results.ShouldBe([expected]);
        LedgerEngine.CreateTransfers([Void(21, 20)], book, T0.AddSeconds(30).AddTicks(ticksFromDue)).Results.ShouldBe([expected]);
    }

    [Fact]
    public void CreateTransfers_PendingWithoutTimeout_NeverExpires()
    {
        var book = Book();
        book.Accounts[2] = book.Accounts[2] with { DebitsPending = 10 };
        book.Accounts[3] = book.Accounts[3] with { CreditsPending = 10 };
        book.Transfers[20] = new StoredTransfer(Move(20, 2, 3, 10, TransferFlags.Pending), T0);

        LedgerEngine.CreateTransfers([Post(21, 20)], book, T0.AddYears(100)).Results.ShouldBe([CreateTransferResult.Ok]);
        LedgerEngine.Expire([book.Transfers[20]], book, T0.AddYears(100)).Results.ShouldBeEmpty();
    }

    [Fact]
    public void CreateTransfers_VoidOfTheWholeAmountSpelledOut_ReleasesAndPostsNothing()
    {
        var book = Book();
        book.Accounts[2] = book.Accounts[2] with { DebitsPending = 10, DebitsPosted = 4 };
        book.Accounts[3] = book.Accounts[3] with { CreditsPending = 10, CreditsPosted = 4 };
        book.Transfers[20] = new StoredTransfer(Move(20, 2, 3, 10, TransferFlags.Pending), T0);

        var outcome = LedgerEngine.CreateTransfers([Void(21, 20, 10)], book, T0);

        outcome.Results.ShouldBe([CreateTransferResult.Ok]);
        outcome.ChangedAccounts[2].ShouldBe(Balances(2) with { DebitsPosted = 4 });
        outcome.ChangedAccounts[3].ShouldBe(Balances(3) with { CreditsPosted = 4 });
        outcome.Entries.ShouldBe([new JournalEntry(0, JournalKind.TransferCreated, 21, 2, 3, 10, 20, 0, LedgerAssets.Gbp, 1, (ushort)TransferFlags.VoidPending, 0, T0.UtcTicks)]);
    }

    [Fact]
    public void CreateTransfers_FailedChainThatPostedAPending_PostUndoneSoALaterPostApplies()
    {
        var book = Book();
        book.Accounts[2] = book.Accounts[2] with { DebitsPending = 10 };
        book.Accounts[3] = book.Accounts[3] with { CreditsPending = 10 };
        book.Transfers[20] = new StoredTransfer(Move(20, 2, 3, 10, TransferFlags.Pending), T0);

        var outcome = LedgerEngine.CreateTransfers(
            [Post(21, 20) with { Flags = TransferFlags.PostPending | TransferFlags.Linked }, Move(22, 1, 2, 101), Post(23, 20, 4)], book, T0);

        outcome.Results.ShouldBe([CreateTransferResult.LinkedEventFailed, CreateTransferResult.ExceedsCredits, CreateTransferResult.Ok]);
        outcome.Entries.Select(e => (e.Id, e.Amount)).ShouldBe([((UInt128)23, (UInt128)4)]);
        outcome.ChangedAccounts[2].ShouldBe(Balances(2) with { DebitsPosted = 4 });
        outcome.ChangedAccounts[3].ShouldBe(Balances(3) with { CreditsPosted = 4 });
    }

    [Fact]
    public void CreateTransfers_FailedChainThatCreatedATransfer_IdFreeAgainAndBalancesRestored()
    {
        var outcome = LedgerEngine.CreateTransfers(
            [Move(30, 1, 2, 60, TransferFlags.Linked), Move(31, 3, 3, 1), Move(30, 1, 2, 100), Move(32, 1, 2, 1)], Book(), T0);

        outcome.Results.ShouldBe(
            [CreateTransferResult.LinkedEventFailed, CreateTransferResult.AccountsMustBeDifferent, CreateTransferResult.Ok, CreateTransferResult.ExceedsCredits]);
        outcome.Entries.Select(e => (e.Id, e.Amount)).ShouldBe([((UInt128)30, (UInt128)100)]);
        outcome.ChangedAccounts[1].DebitsPosted.ShouldBe((UInt128)100);
        outcome.ChangedAccounts[2].CreditsPosted.ShouldBe((UInt128)100);
    }

    /// <summary>Pending 20 of 10 from 2 to 3, in the snapshot.</summary>
    private static LedgerSnapshot BookWithPending()
    {
        var book = Book();
        book.Accounts[2] = book.Accounts[2] with { DebitsPending = 10 };
        book.Accounts[3] = book.Accounts[3] with { CreditsPending = 10 };
        book.Transfers[20] = new StoredTransfer(Move(20, 2, 3, 10, TransferFlags.Pending), T0);
        return book;
    }

    [Fact]
    public void CreateTransfers_SamePostTwiceInOneBatch_SecondIsTheExistingTransferPostedOnce()
    {
        var outcome = LedgerEngine.CreateTransfers([Post(21, 20, 4), Post(21, 20, 4)], BookWithPending(), T0);

        outcome.Results.ShouldBe([CreateTransferResult.Ok, CreateTransferResult.Exists]);
        outcome.Entries.Select(e => e.Id).ShouldBe([(UInt128)21]);
        outcome.ChangedAccounts[2].ShouldBe(Balances(2) with { DebitsPosted = 4 });
    }

    [Fact]
    public void CreateTransfers_VoidThenAnotherVoidInOneBatch_SecondAlreadyVoided()
    {
        var outcome = LedgerEngine.CreateTransfers([Void(21, 20), Void(22, 20), Post(23, 20)], BookWithPending(), T0);

        outcome.Results.ShouldBe([CreateTransferResult.Ok, CreateTransferResult.PendingTransferAlreadyVoided, CreateTransferResult.PendingTransferAlreadyVoided]);
        outcome.ChangedAccounts[2].ShouldBe(Balances(2));
        outcome.ChangedAccounts[3].ShouldBe(Balances(3));
    }

    [Fact]
    public void CreateTransfers_FailedChainChangingOneAccountTwice_AccountBackToItsBalanceBeforeTheChain()
    {
        var outcome = LedgerEngine.CreateTransfers(
            [Move(29, 2, 3, 1), Move(30, 2, 3, 5, TransferFlags.Linked), Move(31, 2, 3, 6, TransferFlags.Linked), Move(32, 1, 3, 1_000)], Book(), T0);

        outcome.Results.ShouldBe(
            [CreateTransferResult.Ok, CreateTransferResult.LinkedEventFailed, CreateTransferResult.LinkedEventFailed, CreateTransferResult.ExceedsCredits]);
        outcome.ChangedAccounts[2].ShouldBe(Balances(2) with { DebitsPosted = 1 });
        outcome.ChangedAccounts[3].ShouldBe(Balances(3) with { CreditsPosted = 1 });
        outcome.Entries.Select(e => e.Id).ShouldBe([(UInt128)29]);
    }

    [Fact]
    public void CreateTransfers_FailedChainAfterAGoodOne_GoodChainsTransfersAndPostStayTaken()
    {
        var outcome = LedgerEngine.CreateTransfers(
            [
                Move(30, 2, 3, 5, TransferFlags.Linked), Post(31, 20, 4),                 // good chain: a transfer and a post
                Move(32, 3, 2, 7, TransferFlags.Linked), Move(33, 1, 3, 1_000),            // failed chain
                Move(30, 2, 3, 5), Post(34, 20, 4),                                        // the good chain's id and post again
            ],
            BookWithPending(),
            T0);

        outcome.Results.ShouldBe(
        [
            CreateTransferResult.Ok, CreateTransferResult.Ok,
            CreateTransferResult.LinkedEventFailed, CreateTransferResult.ExceedsCredits,
            CreateTransferResult.Exists, CreateTransferResult.PendingTransferAlreadyPosted,
        ]);
        outcome.Entries.Select(e => e.Id).ShouldBe([(UInt128)30, 31]);
        outcome.ChangedAccounts[2].ShouldBe(Balances(2) with { DebitsPosted = 9 });
        outcome.ChangedAccounts[3].ShouldBe(Balances(3) with { CreditsPosted = 9 });
    }

    [Fact]
    public void CreateTransfers_GoodChainThenFailedChain_FirstKeptSecondUndone()
    {
        var outcome = LedgerEngine.CreateTransfers(
            [Move(30, 2, 1, 5, TransferFlags.Linked), Move(31, 2, 3, 6), Move(32, 3, 2, 7, TransferFlags.Linked), Move(33, 1, 3, 1_000)], Book(), T0);

        outcome.Results.ShouldBe([CreateTransferResult.Ok, CreateTransferResult.Ok, CreateTransferResult.LinkedEventFailed, CreateTransferResult.ExceedsCredits]);
        outcome.Entries.Select(e => e.Id).ShouldBe([(UInt128)30, 31]);
        outcome.ChangedAccounts[1].ShouldBe(Balances(1, AccountFlags.DebitsMustNotExceedCredits) with { CreditsPosted = 105 });
        outcome.ChangedAccounts[2].ShouldBe(Balances(2) with { DebitsPosted = 11 });
        outcome.ChangedAccounts[3].ShouldBe(Balances(3) with { CreditsPosted = 6 });
    }

    [Fact]
    public void CreateTransfers_ChainFailingOnItsFirstEvent_LaterEventsLinkedFailed()
    {
        var outcome = LedgerEngine.CreateTransfers(
            [Move(30, 1, 2, 101, TransferFlags.Linked), Move(31, 2, 3, 1, TransferFlags.Linked), Move(32, 2, 3, 1)], Book(), T0);

        outcome.Results.ShouldBe([CreateTransferResult.ExceedsCredits, CreateTransferResult.LinkedEventFailed, CreateTransferResult.LinkedEventFailed]);
        outcome.Entries.ShouldBeEmpty();
    }

    [Fact]
    public void CreateTransfers_OnlyEventLinked_ChainOpen()
    {
        var outcome = LedgerEngine.CreateTransfers([Move(30, 2, 3, 1), Move(31, 2, 3, 1, TransferFlags.Linked)], Book(), T0);

        outcome.Results.ShouldBe([CreateTransferResult.Ok, CreateTransferResult.LinkedEventChainOpen]);
        outcome.Entries.Select(e => e.Id).ShouldBe([(UInt128)30]);
    }

    [Fact]
    public void CreateAccounts_FailedChain_AccountsUndoneAndTheIdFreeAgain()
    {
        var outcome = LedgerEngine.CreateAccounts(
            [new Account(40, LedgerAssets.Gbp, 1, AccountFlags.Linked), new Account(41, 0, 1), new Account(40, LedgerAssets.Gbp, 2), new Account(40, LedgerAssets.Gbp, 2)],
            Book(), T0);

        outcome.Results.ShouldBe([CreateAccountResult.LinkedEventFailed, CreateAccountResult.LedgerMustNotBeZero, CreateAccountResult.Ok, CreateAccountResult.Exists]);
        outcome.CreatedAccounts.ShouldBe([new AccountBalances(new Account(40, LedgerAssets.Gbp, 2), 0, 0, 0, 0, T0)]);
        outcome.Entries.ShouldBe([new JournalEntry(0, JournalKind.AccountCreated, 40, 0, 0, 0, 0, 0, LedgerAssets.Gbp, 2, 0, 0, T0.UtcTicks)]);
    }

    [Fact]
    public void CreateAccounts_LinkedChainAllGood_AllCreatedInOrder()
    {
        var outcome = LedgerEngine.CreateAccounts(
            [new Account(40, LedgerAssets.Gbp, 1, AccountFlags.Linked), new Account(41, LedgerAssets.Eth, 3, UserData: 9)], Book(), T0.AddMinutes(1));

        outcome.Results.ShouldBe([CreateAccountResult.Ok, CreateAccountResult.Ok]);
        outcome.CreatedAccounts.ShouldBe(
        [
            new AccountBalances(new Account(40, LedgerAssets.Gbp, 1, AccountFlags.Linked), 0, 0, 0, 0, T0.AddMinutes(1)),
            new AccountBalances(new Account(41, LedgerAssets.Eth, 3, UserData: 9), 0, 0, 0, 0, T0.AddMinutes(1)),
        ]);
    }

    [Fact]
    public void Expire_SamePendingListedTwice_ReleasedOnce()
    {
        var book = Book();
        book.Accounts[2] = book.Accounts[2] with { DebitsPending = 10 };
        book.Accounts[3] = book.Accounts[3] with { CreditsPending = 10 };
        var pending = new StoredTransfer(Move(20, 2, 3, 10, TransferFlags.Pending) with { Timeout = 1 }, T0);

        var outcome = LedgerEngine.Expire([pending, pending], book, T0.AddSeconds(1));

        outcome.Results.ShouldBe([(UInt128)20]);
        outcome.Entries.ShouldBe([new JournalEntry(0, JournalKind.PendingExpired, 20, 2, 3, 10, 20, 0, LedgerAssets.Gbp, 1, 0, 0, T0.AddSeconds(1).UtcTicks)]);
        outcome.ChangedAccounts[2].ShouldBe(Balances(2));
        outcome.ChangedAccounts[3].ShouldBe(Balances(3));
    }

    [Fact]
    public void Expire_NotDueYetByOneTick_Kept() =>
        LedgerEngine.Expire([new StoredTransfer(Move(20, 2, 3, 10, TransferFlags.Pending) with { Timeout = 1 }, T0)], Book(), T0.AddSeconds(1).AddTicks(-1))
            .Results.ShouldBeEmpty();

    [Theory]
    [InlineData(true, "Pending transfer 20: debit account 9 was not loaded.")]
    [InlineData(false, "Pending transfer 20: credit account 9 was not loaded.")]
    public void Expire_AccountNotInTheSnapshot_ThrowsNamingIt(bool debitMissing, string message)
    {
        var pending = new StoredTransfer(Move(20, (UInt128)(debitMissing ? 9 : 2), (UInt128)(debitMissing ? 3 : 9), 10, TransferFlags.Pending) with { Timeout = 1 }, T0);

        Should.Throw<InvalidOperationException>(() => LedgerEngine.Expire([pending], Book(), T0.AddSeconds(1))).Message.ShouldBe(message);
    }

    [Theory]
    [InlineData(true, "Pending transfer 20: debit account 9 was not loaded.")]
    [InlineData(false, "Pending transfer 20: credit account 9 was not loaded.")]
    public void CreateTransfers_PostWhosePendingAccountsWereNotLoaded_ThrowsNamingIt(bool debitMissing, string message)
    {
        var book = Book();
        book.Transfers[20] = new StoredTransfer(Move(20, (UInt128)(debitMissing ? 9 : 2), (UInt128)(debitMissing ? 3 : 9), 10, TransferFlags.Pending), T0);

        Should.Throw<InvalidOperationException>(() => LedgerEngine.CreateTransfers([Post(21, 20)], book, T0)).Message.ShouldBe(message);
    }

    [Fact]
    public void Engine_NullArguments_Throw()
    {
        Should.Throw<ArgumentNullException>(() => LedgerEngine.CreateAccounts(null!, Book(), T0)).ParamName.ShouldBe("accounts");
        Should.Throw<ArgumentNullException>(() => LedgerEngine.CreateAccounts([], null!, T0)).ParamName.ShouldBe("snapshot");
        Should.Throw<ArgumentNullException>(() => LedgerEngine.CreateTransfers(null!, Book(), T0)).ParamName.ShouldBe("transfers");
        Should.Throw<ArgumentNullException>(() => LedgerEngine.CreateTransfers([], null!, T0)).ParamName.ShouldBe("snapshot");
        Should.Throw<ArgumentNullException>(() => LedgerEngine.Expire(null!, Book(), T0)).ParamName.ShouldBe("due");
        Should.Throw<ArgumentNullException>(() => LedgerEngine.Expire([], null!, T0)).ParamName.ShouldBe("snapshot");
    }
}
