using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Ledger;

/// <summary>
/// <see cref="JournalVerifier"/> fed rows directly, as a store reads them: each way a journal can break, with the exact
/// reason and the row it names, and the comparison of the replay with the stored accounts and head. Rows are chained
/// with <see cref="JournalHash"/> (pinned to independent vectors in <see cref="JournalHashVectorTests"/>); expected
/// balances are worked out by hand from the transfers.
/// </summary>
public sealed class JournalVerifierTests
{
    private const string GenesisHex = "0000000000000000000000000000000000000000000000000000000000000000";
    private const string Altered = "its hash does not match its content and the previous row's hash: the row was altered.";
    private const string Differs = "stored balances or fields differ from the journal's replay.";
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static JournalEntry Open(UInt128 id, AccountFlags flags = AccountFlags.None, uint ledger = LedgerAssets.Gbp, ushort code = 1, UInt128 userData = default) =>
        JournalEntry.ForAccount(new Account(id, ledger, code, flags, userData), T0.UtcTicks);

    private static JournalEntry Move(UInt128 id, UInt128 debit, UInt128 credit, UInt128 amount, TransferFlags flags = TransferFlags.None, UInt128 pendingId = default) =>
        JournalEntry.ForTransfer(new Transfer(id, debit, credit, amount, LedgerAssets.Gbp, 1, flags, pendingId), T0.UtcTicks);

    private static JournalEntry Expiry(UInt128 id, UInt128 debit, UInt128 credit, UInt128 amount) =>
        JournalEntry.ForExpiry(new Transfer(id, debit, credit, amount, LedgerAssets.Gbp, 1, TransferFlags.Pending, Timeout: 5), T0.UtcTicks);

    /// <summary>The rows with seq 1, 2, … and each row's hash chained from the genesis.</summary>
    private static List<(JournalEntry Entry, byte[] Hash)> Chain(IEnumerable<JournalEntry> entries)
    {
        var hash = JournalHash.Genesis;
        var rows = new List<(JournalEntry, byte[])>();
        foreach (var entry in entries)
        {
            var e = entry with { Seq = rows.Count + 1 };
            hash = JournalHash.Compute(hash, e);
            rows.Add((e, hash));
        }

        return rows;
    }

    private static string HeadAfter(List<(JournalEntry Entry, byte[] Hash)> rows, int count) =>
        count == 0 ? GenesisHex : Convert.ToHexStringLower(rows[count - 1].Hash);

    /// <summary>Feeds every row (stopping at the first refused one) and finishes without stored accounts or head.</summary>
    private static JournalVerification Replay(params JournalEntry[] entries)
    {
        var verifier = new JournalVerifier();
        foreach (var (entry, hash) in Chain(entries))
        {
            if (!verifier.Add(entry.Seq, entry, hash))
            {
                break;
            }
        }

        return verifier.Finish([], null, null);
    }

    private static JournalVerification BrokenAt(JournalEntry[] entries, long seq, string problem) =>
        new(false, seq - 1, HeadAfter(Chain(entries), (int)seq - 1), seq, null, $"row {seq}: {problem}");

    // Two accounts with every balance non-zero: 1 (user data 0x51, code 1) and 2 (code 2).
    //   10: 2 → 1 1000          1: credits posted 1000         2: debits posted 1000
    //   11: 1 → 2 300 pending,  12 posts 200 of it             1: debits posted 200       2: credits posted 200
    //   13: 1 → 2 70 pending (open)                            1: debits pending 70       2: credits pending 70
    //   14: 2 → 1 9 pending (open)                             1: credits pending 9       2: debits pending 9
    private static readonly JournalEntry[] Book =
    [
        Open(1, userData: 0x51), Open(2, code: 2),
        Move(10, 2, 1, 1000), Move(11, 1, 2, 300, TransferFlags.Pending), Move(12, 1, 2, 200, TransferFlags.PostPending, 11),
        Move(13, 1, 2, 70, TransferFlags.Pending), Move(14, 2, 1, 9, TransferFlags.Pending),
    ];

    private static readonly AccountBalances Stored1 = new(new Account(1, LedgerAssets.Gbp, 1, AccountFlags.None, 0x51), 70, 200, 9, 1000, T0);
    private static readonly AccountBalances Stored2 = new(new Account(2, LedgerAssets.Gbp, 2), 9, 1000, 70, 200, T0);

    private static (JournalVerifier Verifier, List<(JournalEntry Entry, byte[] Hash)> Rows) Fed(JournalEntry[] entries)
    {
        var verifier = new JournalVerifier();
        var rows = Chain(entries);
        foreach (var (entry, hash) in rows)
        {
            verifier.Add(entry.Seq, entry, hash).ShouldBeTrue();
        }

        return (verifier, rows);
    }

    [Fact]
    public void Finish_BookWithHandWorkedBalances_OkWithRowCountAndHead()
    {
        var (verifier, rows) = Fed(Book);

        var result = verifier.Finish([Stored1, Stored2], 7, rows[^1].Hash);

        result.ShouldBe(new JournalVerification(true, 7, Convert.ToHexStringLower(rows[^1].Hash), null, null, null));
        verifier.IsBroken.ShouldBeFalse();
    }

    [Fact]
    public void Finish_EngineBatchesWithPostVoidAndExpiry_OkAgainstHandWorkedBalances()
    {
        // Through the engine, as the stores write: 3 accounts (1 and 2 created as a linked chain, 3 without overdraft),
        // then 10: 2 → 1 1000; 11: 1 → 3 300 pending, 12 posts 200 of it; 13: 1 → 3 50 pending, 14 voids it;
        // 15: 1 → 2 40 pending with a 5 s timeout, expired at T0 + 5 s; 16: 3 → 2 150 (3 has 200 posted credits).
        var snapshot = new LedgerSnapshot();
        var rows = new List<JournalEntry>();
        var accounts = LedgerEngine.CreateAccounts(
            [new Account(1, LedgerAssets.Gbp, 1, AccountFlags.Linked), new Account(2, LedgerAssets.Gbp, 2, UserData: 77), new Account(3, LedgerAssets.Gbp, 1, AccountFlags.DebitsMustNotExceedCredits)],
            snapshot, T0);
        accounts.Results.ShouldBe([CreateAccountResult.Ok, CreateAccountResult.Ok, CreateAccountResult.Ok]);
        accounts.CreatedAccounts.ForEach(a => snapshot.Accounts[a.Account.Id] = a);
        rows.AddRange(accounts.Entries);
        var transfers = LedgerEngine.CreateTransfers(
            [
                new Transfer(10, 2, 1, 1000, LedgerAssets.Gbp, 1),
                new Transfer(11, 1, 3, 300, LedgerAssets.Gbp, 1, TransferFlags.Pending),
                new Transfer(12, 0, 0, 200, 0, 0, TransferFlags.PostPending, 11),
                new Transfer(13, 1, 3, 50, LedgerAssets.Gbp, 1, TransferFlags.Pending),
                new Transfer(14, 0, 0, 0, 0, 0, TransferFlags.VoidPending, 13),
                new Transfer(15, 1, 2, 40, LedgerAssets.Gbp, 1, TransferFlags.Pending, Timeout: 5),
                new Transfer(16, 3, 2, 150, LedgerAssets.Gbp, 1),
            ],
            snapshot, T0);
        transfers.Results.ShouldAllBe(r => r == CreateTransferResult.Ok);
        foreach (var (id, changed) in transfers.ChangedAccounts)
        {
            snapshot.Accounts[id] = changed;
        }

        rows.AddRange(transfers.Entries);
        var pending = transfers.Entries.Single(e => e.Id == 15).ToStoredTransfer();
        var expired = LedgerEngine.Expire([pending], snapshot, T0.AddSeconds(5));
        expired.Results.ShouldBe([(UInt128)15]);
        rows.AddRange(expired.Entries);
        rows.Select(r => r.Kind).ShouldBe([.. Enumerable.Repeat(JournalKind.AccountCreated, 3), .. Enumerable.Repeat(JournalKind.TransferCreated, 7), JournalKind.PendingExpired]);
        var (verifier, chained) = Fed([.. rows]);

        var result = verifier.Finish(
            [
                new AccountBalances(new Account(1, LedgerAssets.Gbp, 1, AccountFlags.Linked), 0, 200, 0, 1000, T0), // the stores keep Linked
                new AccountBalances(new Account(2, LedgerAssets.Gbp, 2, UserData: 77), 0, 1000, 0, 150, T0),
                new AccountBalances(new Account(3, LedgerAssets.Gbp, 1, AccountFlags.DebitsMustNotExceedCredits), 0, 150, 0, 200, T0),
            ],
            11,
            chained[^1].Hash);

        result.ShouldBe(new JournalVerification(true, 11, Convert.ToHexStringLower(chained[^1].Hash), null, null, null));
    }

    [Fact]
    public void Finish_EmptyJournalAndNoAccounts_OkAtTheGenesis()
    {
        new JournalVerifier().Finish([], 0, new byte[32]).ShouldBe(new JournalVerification(true, 0, GenesisHex, null, null, null));
        new JournalVerifier().Finish([], null, null).ShouldBe(new JournalVerification(true, 0, GenesisHex, null, null, null));
    }

    [Fact]
    public void Finish_NullAccounts_Throws() =>
        Should.Throw<ArgumentNullException>(() => new JournalVerifier().Finish(null!, null, null)).ParamName.ShouldBe("storedAccounts");

    [Theory]
    [InlineData(4, "row 4: expected row 3, found row 4: a row was deleted or inserted.")]
    [InlineData(2, "row 2: expected row 3, found row 2: a row was deleted or inserted.")]
    [InlineData(0, "row 0: expected row 3, found row 0: a row was deleted or inserted.")]
    public void Add_SeqOutOfOrder_BrokenAtThatRow(long seq, string problem)
    {
        var (verifier, rows) = Fed(Book[..2]);
        var next = Book[2] with { Seq = seq };

        verifier.Add(seq, next, JournalHash.Compute(rows[^1].Hash, next)).ShouldBeFalse();

        verifier.IsBroken.ShouldBeTrue();
        verifier.Finish([Stored1, Stored2], 2, rows[^1].Hash).ShouldBe(new JournalVerification(false, 2, HeadAfter(rows, 2), seq, null, problem));
    }

    [Fact]
    public void Add_FirstRowIsNotOne_BrokenAtTheGenesis()
    {
        var verifier = new JournalVerifier();
        var row = Book[0] with { Seq = 2 };

        verifier.Add(2, row, JournalHash.Compute(JournalHash.Genesis, row)).ShouldBeFalse();

        verifier.Finish([], null, null).ShouldBe(
            new JournalVerification(false, 0, GenesisHex, 2, null, "row 2: expected row 1, found row 2: a row was deleted or inserted."));
    }

    [Fact]
    public void Add_AfterABreak_FalseForGoodRowsAndTheFirstReasonKept()
    {
        var verifier = new JournalVerifier();
        var rows = Chain(Book);
        verifier.Add(1, rows[0].Entry, rows[0].Hash).ShouldBeTrue();
        verifier.Add(2, null, rows[1].Hash).ShouldBeFalse();

        verifier.Add(2, rows[1].Entry, rows[1].Hash).ShouldBeFalse();
        verifier.Add(3, rows[2].Entry, rows[2].Hash).ShouldBeFalse();
        verifier.Add(5, rows[4].Entry, new byte[3]).ShouldBeFalse();

        // The break wins over the head and the accounts too.
        verifier.Finish([Stored1], 9, null).ShouldBe(
            new JournalVerification(false, 1, HeadAfter(rows, 1), 2, null, "row 2: its columns do not decode."));
    }

    [Fact]
    public void Add_FirstRowDoesNotDecode_BrokenAtRowOne() =>
        Broken(v => v.Add(1, null, null)).ShouldBe(new JournalVerification(false, 0, GenesisHex, 1, null, "row 1: its columns do not decode."));

    public static TheoryData<string> BadHashes => ["last byte flipped", "first byte flipped", "hex string", "31 bytes", "33 bytes", "null", "chained from the genesis"];

    [Theory]
    [MemberData(nameof(BadHashes))]
    public void Add_StoredHashNotTheChainedOne_BrokenAsAltered(string how)
    {
        var (verifier, rows) = Fed(Book[..1]);
        var row = Book[1] with { Seq = 2 };
        var good = JournalHash.Compute(rows[0].Hash, row);
        object? stored = how switch
        {
            "last byte flipped" => Flip(good, 31),
            "first byte flipped" => Flip(good, 0),
            "hex string" => Convert.ToHexStringLower(good),
            "31 bytes" => good[..31],
            "33 bytes" => (byte[])[.. good, 0],
            "null" => null,
            _ => JournalHash.Compute(JournalHash.Genesis, row),
        };

        verifier.Add(2, row, stored).ShouldBeFalse();

        verifier.Finish([], null, null).ShouldBe(new JournalVerification(false, 1, HeadAfter(rows, 1), 2, null, $"row 2: {Altered}"));
    }

    [Fact]
    public void Add_ContentChangedButHashKept_BrokenAsAltered()
    {
        var (verifier, rows) = Fed(Book[..2]);
        var good = Book[2] with { Seq = 3 };

        verifier.Add(3, good with { Amount = 1001 }, JournalHash.Compute(rows[^1].Hash, good)).ShouldBeFalse();

        verifier.Finish([], null, null).Problem.ShouldBe($"row 3: {Altered}");
    }

    private static readonly Dictionary<string, (JournalEntry[] Entries, long Seq, string Problem)> ReplayBreakCases = new()
    {
        ["account created twice"] = ([Open(1), Open(1)], 2, "account 1 is created twice."),
        ["unknown kind 4"] = ([Open(1) with { Kind = (JournalKind)4 }], 1, "unknown kind 4."),
        ["unknown kind 0"] = ([Open(1), Open(2), Open(3) with { Kind = 0 }], 3, "unknown kind 0."),
        ["debit account missing"] = ([Open(2), Move(10, 1, 2, 5)], 2, "transfer 10 names an account that does not exist yet."),
        ["credit account missing"] = ([Open(1), Move(10, 1, 2, 5)], 2, "transfer 10 names an account that does not exist yet."),
        ["debit account on another ledger"] = ([Open(1, ledger: LedgerAssets.Tgbp), Open(2), Move(10, 1, 2, 5)], 3, "transfer 10 crosses ledgers."),
        ["credit account on another ledger"] = ([Open(1), Open(2, ledger: LedgerAssets.Tgbp), Move(10, 1, 2, 5)], 3, "transfer 10 crosses ledgers."),
        ["post of an unknown pending"] = ([Open(1), Open(2), Move(12, 1, 2, 5, TransferFlags.PostPending, 11)], 3, "pending transfer 11 is resolved but was never created."),
        ["void of an unknown pending"] = ([Open(1), Open(2), Move(12, 0, 0, 0, TransferFlags.VoidPending, 11)], 3, "pending transfer 11 is resolved but was never created."),
        ["expiry of an unknown pending"] = ([Open(1), Open(2), Expiry(11, 1, 2, 5)], 3, "pending transfer 11 is resolved but was never created."),
        ["post of a single-phase transfer"] = ([Open(1), Open(2), Move(11, 1, 2, 5), Move(12, 1, 2, 5, TransferFlags.PostPending, 11)], 4, "pending transfer 11 is resolved but was never created."),
        ["voided after posted"] = ([Open(1), Open(2), Move(11, 1, 2, 5, TransferFlags.Pending), Move(12, 1, 2, 5, TransferFlags.PostPending, 11), Move(13, 1, 2, 5, TransferFlags.VoidPending, 11)], 5, "pending transfer 11 is resolved twice."),
        ["expired after posted"] = ([Open(1), Open(2), Move(11, 1, 2, 5, TransferFlags.Pending), Move(12, 1, 2, 5, TransferFlags.PostPending, 11), Expiry(11, 1, 2, 5)], 5, "pending transfer 11 is resolved twice."),
        ["posted after expired"] = ([Open(1), Open(2), Move(11, 1, 2, 5, TransferFlags.Pending), Expiry(11, 1, 2, 5), Move(12, 1, 2, 5, TransferFlags.PostPending, 11)], 5, "pending transfer 11 is resolved twice."),
        ["posted for more than reserved"] = ([Open(1), Open(2), Move(11, 1, 2, 300, TransferFlags.Pending), Move(12, 1, 2, 301, TransferFlags.PostPending, 11)], 4, "pending transfer 11 is posted for more than it reserved."),
        ["debits past posted credits"] = ([Open(1, AccountFlags.DebitsMustNotExceedCredits), Open(2), Move(10, 2, 1, 100), Move(11, 1, 2, 101)], 4, "transfer 11 takes account 1's debits past its posted credits."),
        ["debits past credits with pending counted"] = ([Open(1, AccountFlags.DebitsMustNotExceedCredits), Open(2), Move(10, 2, 1, 100), Move(11, 1, 2, 60, TransferFlags.Pending), Move(12, 1, 2, 41)], 5, "transfer 12 takes account 1's debits past its posted credits."),
        ["pending debits past credits"] = ([Open(1, AccountFlags.DebitsMustNotExceedCredits), Open(2), Move(10, 2, 1, 100), Move(11, 1, 2, 60), Move(12, 1, 2, 41, TransferFlags.Pending)], 5, "transfer 12 takes account 1's debits past its posted credits."),
        ["pending credits do not count"] = ([Open(1, AccountFlags.DebitsMustNotExceedCredits), Open(2), Move(10, 2, 1, 100, TransferFlags.Pending), Move(11, 1, 2, 1)], 4, "transfer 11 takes account 1's debits past its posted credits."),
        ["credits past posted debits"] = ([Open(3, AccountFlags.CreditsMustNotExceedDebits), Open(2), Move(10, 3, 2, 50), Move(11, 2, 3, 51)], 4, "transfer 11 takes account 3's credits past its posted debits."),
        ["credits past debits with pending counted"] = ([Open(3, AccountFlags.CreditsMustNotExceedDebits), Open(2), Move(10, 3, 2, 50), Move(11, 2, 3, 30, TransferFlags.Pending), Move(12, 2, 3, 21)], 5, "transfer 12 takes account 3's credits past its posted debits."),
        ["pending credits past debits"] = ([Open(3, AccountFlags.CreditsMustNotExceedDebits), Open(2), Move(10, 3, 2, 50), Move(11, 2, 3, 30), Move(12, 2, 3, 21, TransferFlags.Pending)], 5, "transfer 12 takes account 3's credits past its posted debits."),
        // A tampered amount that would wrap an account's 128-bit totals (the engine answers OverflowsDebits/Credits).
        ["debits overflow"] = ([Open(1), Open(2), Move(10, 1, 2, UInt128.MaxValue), Move(11, 1, 2, 1)], 4, "transfer 11 overflows account 1's debits."),
        ["credits overflow"] = ([Open(1), Open(2), Open(3), Move(10, 1, 3, UInt128.MaxValue), Move(11, 2, 3, 1)], 5, "transfer 11 overflows account 3's credits."),
        ["pending plus posted debits overflow"] = ([Open(1), Open(2), Open(3), Move(10, 1, 2, UInt128.MaxValue, TransferFlags.Pending), Move(11, 1, 3, 1)], 5, "transfer 11 overflows account 1's debits."),
        ["posted plus pending credits overflow"] = ([Open(1), Open(2), Open(3), Move(10, 1, 3, UInt128.MaxValue), Move(11, 2, 3, 1, TransferFlags.Pending)], 5, "transfer 11 overflows account 3's credits."),
        // A wrapped total would otherwise slip under the limit: the overflow is named, not the limit.
        ["overflow under a limit"] = ([Open(1, AccountFlags.DebitsMustNotExceedCredits), Open(2), Move(10, 2, 1, 10), Move(11, 1, 2, 10), Move(12, 1, 2, UInt128.MaxValue)], 5, "transfer 12 overflows account 1's debits."),
    };

    public static TheoryData<string> ReplayBreaks => [.. ReplayBreakCases.Keys];

    [Theory]
    [MemberData(nameof(ReplayBreaks))]
    public void Add_RowThatDoesNotReplay_BrokenWithTheReason(string name)
    {
        var (entries, seq, problem) = ReplayBreakCases[name];

        Replay(entries).ShouldBe(BrokenAt(entries, seq, problem));
    }

    private static readonly Dictionary<string, JournalEntry[]> LimitCases = new()
    {
        // Exactly up to the limit, pending counted: no break.
        ["debit limit reached exactly"] = [Open(1, AccountFlags.DebitsMustNotExceedCredits), Open(2), Move(10, 2, 1, 100), Move(11, 1, 2, 60, TransferFlags.Pending), Move(12, 1, 2, 40)],
        ["credit limit reached exactly"] = [Open(3, AccountFlags.CreditsMustNotExceedDebits), Open(2), Move(10, 3, 2, 50), Move(11, 2, 3, 30, TransferFlags.Pending), Move(12, 2, 3, 20)],
        // The limits hold only on the flagged side: 2 (no flags) goes as far as it likes either way.
        ["limits only on the flagged side"] = [Open(1, AccountFlags.DebitsMustNotExceedCredits), Open(2), Open(3, AccountFlags.CreditsMustNotExceedDebits), Move(10, 2, 1, 100), Move(11, 3, 2, 7)],
        // A post of all it reserved, a void with amount 0, and posting after an earlier pending of the same accounts was released.
        ["post of all reserved and a void of 0"] =
            [Open(1, AccountFlags.DebitsMustNotExceedCredits), Open(2), Move(10, 2, 1, 300), Move(11, 1, 2, 300, TransferFlags.Pending),
             Move(12, 1, 2, 300, TransferFlags.PostPending, 11), Move(13, 2, 1, 5, TransferFlags.Pending), Move(14, 0, 0, 0, TransferFlags.VoidPending, 13)],
        // A freed reservation makes room again: 60 pending expired, then 100 fits.
        ["expired reservation frees room"] =
            [Open(1, AccountFlags.DebitsMustNotExceedCredits), Open(2), Move(10, 2, 1, 100), Move(11, 1, 2, 60, TransferFlags.Pending),
             Expiry(11, 1, 2, 60), Move(12, 1, 2, 100)],
    };

    public static TheoryData<string> ReplaysAtTheLimits => [.. LimitCases.Keys];

    [Theory]
    [MemberData(nameof(ReplaysAtTheLimits))]
    public void Add_RowsAtTheLimits_NoBreak(string name)
    {
        var verifier = new JournalVerifier();
        foreach (var (entry, hash) in Chain(LimitCases[name]))
        {
            verifier.Add(entry.Seq, entry, hash).ShouldBeTrue();
        }

        verifier.IsBroken.ShouldBeFalse();
    }

    [Theory]
    [InlineData(8, 7)]
    [InlineData(6, 7)]
    [InlineData(0, 7)]
    public void Finish_HeadSeqIsNotTheLastRow_BrokenAfterTheChain(long headSeq, long chainEnd)
    {
        var (verifier, rows) = Fed(Book);

        verifier.Finish([Stored1, Stored2], headSeq, rows[^1].Hash).ShouldBe(new JournalVerification(
            false, chainEnd, HeadAfter(rows, 7), 8, null,
            $"the journal head says row {headSeq} but the chain ends at row 7: rows after it were deleted or the head was altered."));
    }

    public static TheoryData<string> BadHeadHashes => ["previous row's", "hex string", "null", "31 bytes"];

    [Theory]
    [MemberData(nameof(BadHeadHashes))]
    public void Finish_HeadHashIsNotTheLastRows_Broken(string how)
    {
        var (verifier, rows) = Fed(Book);
        object? head = how switch
        {
            "previous row's" => rows[^2].Hash,
            "hex string" => Convert.ToHexStringLower(rows[^1].Hash),
            "null" => null,
            _ => rows[^1].Hash[..31],
        };

        verifier.Finish([Stored1, Stored2], 7, head).ShouldBe(new JournalVerification(
            false, 7, HeadAfter(rows, 7), 8, null,
            "the journal head says row 7 but the chain ends at row 7: rows after it were deleted or the head was altered."));
    }

    [Fact]
    public void Finish_NoHeadKept_HeadNotCompared()
    {
        var (verifier, _) = Fed(Book);

        verifier.Finish([Stored1, Stored2], null, "anything").Ok.ShouldBeTrue();
    }

    [Fact]
    public void Finish_StoredAccountNotInTheJournal_NamesIt()
    {
        var (verifier, rows) = Fed(Book);
        var extra = new AccountBalances(new Account(9, LedgerAssets.Gbp, 1), 0, 0, 0, 0, T0);

        verifier.Finish([Stored1, Stored2, extra], 7, rows[^1].Hash)
            .ShouldBe(new JournalVerification(false, 7, HeadAfter(rows, 7), null, 9, "account 9 is not in the journal."));
    }

    [Fact]
    public void Finish_JournalAccountMissingFromTheTable_NamesIt()
    {
        var (verifier, rows) = Fed(Book);

        verifier.Finish([Stored1], 7, rows[^1].Hash)
            .ShouldBe(new JournalVerification(false, 7, HeadAfter(rows, 7), null, 2, "account 2 is in the journal but not in the accounts table."));
    }

    public static TheoryData<string> ChangedFields =>
        ["ledger", "code", "flags", "user data", "debits pending", "debits posted", "credits pending", "credits posted"];

    [Theory]
    [MemberData(nameof(ChangedFields))]
    public void Finish_OneStoredFieldDiffers_NamesTheAccount(string field)
    {
        var (verifier, rows) = Fed(Book);
        var a = Stored1.Account;
        var changed = field switch
        {
            "ledger" => Stored1 with { Account = a with { Ledger = LedgerAssets.Tgbp } },
            "code" => Stored1 with { Account = a with { Code = 2 } },
            "flags" => Stored1 with { Account = a with { Flags = AccountFlags.CreditsMustNotExceedDebits } },
            "user data" => Stored1 with { Account = a with { UserData = 0x52 } },
            "debits pending" => Stored1 with { DebitsPending = 71 },
            "debits posted" => Stored1 with { DebitsPosted = 199 },
            "credits pending" => Stored1 with { CreditsPending = 0 },
            _ => Stored1 with { CreditsPosted = 1001 },
        };

        verifier.Finish([changed, Stored2], 7, rows[^1].Hash)
            .ShouldBe(new JournalVerification(false, 7, HeadAfter(rows, 7), null, 1, $"account 1's {Differs}"));
    }

    [Fact]
    public void Finish_SecondAccountDiffers_NamesThatOne()
    {
        var (verifier, rows) = Fed(Book);

        verifier.Finish([Stored1, Stored2 with { CreditsPending = 69 }], 7, rows[^1].Hash).AccountId.ShouldBe((UInt128)2);
    }

    [Fact]
    public void Finish_OnlyLinkedFlagOrCreationTimeDiffers_Ok()
    {
        var (verifier, rows) = Fed(Book);

        verifier.Finish(
            [Stored1 with { Account = Stored1.Account with { Flags = AccountFlags.Linked } }, Stored2 with { CreatedAt = T0.AddDays(1) }],
            7,
            rows[^1].Hash).Ok.ShouldBeTrue();
    }

    [Fact]
    public void Finish_AccountCreatedLinkedInTheJournal_MatchesAStoredAccountWithOrWithoutTheFlag()
    {
        JournalEntry[] entries = [Open(1, AccountFlags.Linked | AccountFlags.DebitsMustNotExceedCredits), Open(2)];
        var stored2 = new AccountBalances(new Account(2, LedgerAssets.Gbp, 1), 0, 0, 0, 0, T0);

        foreach (var flags in new[] { AccountFlags.DebitsMustNotExceedCredits, AccountFlags.DebitsMustNotExceedCredits | AccountFlags.Linked })
        {
            var (verifier, rows) = Fed(entries);
            verifier.Finish([new AccountBalances(new Account(1, LedgerAssets.Gbp, 1, flags), 0, 0, 0, 0, T0), stored2], 2, rows[^1].Hash).Ok.ShouldBeTrue();
        }
    }

    private static JournalVerification Broken(Func<JournalVerifier, bool> add)
    {
        var verifier = new JournalVerifier();
        add(verifier).ShouldBeFalse();
        return verifier.Finish([], null, null);
    }

    private static byte[] Flip(byte[] hash, int index)
    {
        var copy = hash.ToArray();
        copy[index] ^= 1;
        return copy;
    }
}
