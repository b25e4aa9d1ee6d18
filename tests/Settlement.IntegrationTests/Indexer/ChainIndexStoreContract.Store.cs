using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.IntegrationTests.Indexer;

public abstract partial class ChainIndexStoreContract
{
    protected const string Stream = "31337:test";
    private const ulong Chain = 31337;
    private static readonly string TokenHex = FakeChain.Token.ToLowerHex();
    private static readonly Account Issuance = ChainAccounts.Issuance(Chain, LedgerAssets.Tgbp, TokenHex);
    private static readonly Account Alice = ChainAccounts.Wallet(Chain, LedgerAssets.Tgbp, FakeChain.Alice.ToLowerHex());
    private static readonly Account Bob = ChainAccounts.Wallet(Chain, LedgerAssets.Tgbp, FakeChain.Bob.ToLowerHex());
    private static readonly string Channel = "0x" + new string('c', 64);

    protected static BlockRef B(ulong n, char fork = 'a') => new(n, "0x" + new string(fork, 62) + n.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));

    private static string Tx(int i) => "0x" + i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);

    private static ChainEventKey Key(int tx) => new(Chain, TokenHex, Tx(tx), 0);

    private static Transfer Move(ChainEventKey key, BlockRef block, Account from, Account to, UInt128 amount, ChainTransferCode code) =>
        new(ChainTransferIds.ForEvent(Chain, key.Contract, key.TransactionHash, key.LogIndex, block.Hash, 0, 0), from.Id, to.Id, amount, LedgerAssets.Tgbp, (ushort)code, UserData: block.Number);

    private static readonly Transfer Mint = Move(Key(1), B(1), Issuance, Alice, 100, ChainTransferCode.TokenMinted);
    private static readonly Transfer Pay = Move(Key(2), B(2), Alice, Bob, 40, ChainTransferCode.TokenTransferred);

    /// <summary>Block 1: 100 minted to Alice.</summary>
    protected static ChainBlockBatch First => new(
        Stream, Chain, null, B(1), [B(1)], [Issuance, Alice], [Mint],
        [new BookedEvent(Key(1), 1, B(1).Hash, ChainEventKind.TokenTransfer, [Mint.Id])], []);

    /// <summary>Blocks 2–3: Alice pays Bob 40 (block 2); a channel opened and its payee's total recorded.</summary>
    protected static ChainBlockBatch Second => new(
        Stream, Chain, B(1), B(3), [B(2), B(3)], [Alice, Bob], [Pay],
        [
            new BookedEvent(Key(2), 2, B(2).Hash, ChainEventKind.TokenTransfer, [Pay.Id]),
            new BookedEvent(new ChainEventKey(Chain, FakeChain.Contract.ToLowerHex(), Tx(3), 1), 3, B(3).Hash, ChainEventKind.BatchVoucherRedeemed, [],
                EventIgnoredReason.NoMovement, Channel, 25),
        ],
        [new IndexedChannel(Channel, FakeChain.Alice.ToLowerHex(), FakeChain.Bob.ToLowerHex(), TokenHex, 2)]);

    /// <summary>Everything a refused write must leave as it was.</summary>
    private async Task<string> DumpAsync(LedgerDb db)
    {
        var accounts = await db.Ledger.ListAccountsAsync();
        var events = await db.Index.ListEventsAsync(Stream);
        var blocks = await db.Index.GetBlocksAsync(Stream, ulong.MaxValue, 100);
        var channels = await db.Index.GetChannelsAsync(Stream, [Channel]);
        var journal = await db.Ledger.VerifyJournalAsync();
        return string.Join(
            "\n",
            string.Join(";", accounts.Select(a => $"{a.Account.Id}:{a.DebitsPosted}/{a.CreditsPosted}")),
            string.Join(";", events.Select(e => $"{e.Key}@{e.BlockNumber}:{string.Join(',', e.TransferIds)}")),
            string.Join(";", blocks),
            string.Join(";", channels),
            await db.Index.GetCheckpointAsync(Stream),
            $"{journal.Ok}:{journal.Entries}:{journal.HeadHash}");
    }

    [Fact]
    public async Task ApplyBatch_TwoBatches_LedgerEventsChannelsBlocksAndCheckpoint()
    {
        var db = Db();

        (await db.Index.ApplyBatchAsync(First)).Applied.ShouldBeTrue();
        var second = await Db().Index.ApplyBatchAsync(Second);

        second.Refusal.ShouldBeNull();
        second.Checkpoint.ShouldBe(new IndexerCheckpoint(Stream, Chain, B(3), 0, 3, 0));
        (await db.Index.GetCheckpointAsync(Stream)).ShouldBe(second.Checkpoint);
        (await IndexState.NetAsync(db.Ledger, Alice.Id)).ShouldBe(60);
        (await IndexState.NetAsync(db.Ledger, Bob.Id)).ShouldBe(40);
        (await IndexState.NetAsync(db.Ledger, Issuance.Id)).ShouldBe(-100);
        (await db.Index.ListEventsAsync(Stream)).ShouldBe([.. First.Events, .. Second.Events]);
        (await db.Index.GetBlocksAsync(Stream, 2, 10)).ShouldBe([B(2), B(1)]);
        (await db.Index.GetChannelsAsync(Stream, [Channel, "0x01"])).ShouldBe([Second.Channels[0] with { PayeeRedeemed = 25 }]);
        var journal = await db.Ledger.VerifyJournalAsync();
        journal.Ok.ShouldBeTrue(journal.Problem);
        journal.Entries.ShouldBe(5); // three accounts, two transfers
    }

    public static TheoryData<string, Func<ChainBlockBatch, ChainBlockBatch>, ChainIndexRefusal> BatchRefusals() => new()
    {
        { "repeat of the first batch", _ => First, ChainIndexRefusal.CheckpointMismatch },
        { "continues another hash", b => b with { Expected = B(1, 'f') }, ChainIndexRefusal.CheckpointMismatch },
        { "other chain id", b => b with { ChainId = 1 }, ChainIndexRefusal.ChainIdMismatch },
        { "block at the checkpoint", b => b with { Blocks = [B(1), B(3)] }, ChainIndexRefusal.BlocksOutOfRange },
        { "blocks not ascending", b => b with { Blocks = [B(3), B(2), B(3)] }, ChainIndexRefusal.BlocksOutOfRange },
        { "last block is not the checkpoint", b => b with { Blocks = [B(2)] }, ChainIndexRefusal.BlocksOutOfRange },
        { "event in a block of another fork", b => b with { Events = [b.Events[0] with { BlockHash = B(2, 'f').Hash }] }, ChainIndexRefusal.BlocksOutOfRange },
        { "event booked already", b => b with { Events = [.. b.Events, First.Events[0] with { BlockNumber = 3, BlockHash = B(3).Hash }] }, ChainIndexRefusal.EventAlreadyBooked },
        { "account with other fields", b => b with { Accounts = [Alice with { Code = (ushort)AccountCode.Fees }, Bob] }, ChainIndexRefusal.AccountConflict },
        { "transfer id taken with another amount", b => b with { Transfers = [Mint with { Amount = 99 }] }, ChainIndexRefusal.LedgerRefused },
        { "transfer to an account nobody creates", b => b with { Accounts = [Alice], Transfers = [Pay] }, ChainIndexRefusal.LedgerRefused },
    };

    [Theory]
    [MemberData(nameof(BatchRefusals))]
    public async Task ApplyBatch_Refused_ExactReasonAndNothingChanged(string why, Func<ChainBlockBatch, ChainBlockBatch> spoil, ChainIndexRefusal expected)
    {
        var db = Db();
        (await db.Index.ApplyBatchAsync(First)).Applied.ShouldBeTrue();
        var before = await DumpAsync(db);

        var result = await Db().Index.ApplyBatchAsync(spoil(Second));

        result.Refusal.ShouldBe(expected, why);
        result.Detail.ShouldNotBeNullOrEmpty();
        (await DumpAsync(db)).ShouldBe(before, why);
        (await db.Index.ApplyBatchAsync(Second)).Applied.ShouldBeTrue("the unspoilt batch still applies");
    }

    [Fact]
    public async Task FindEventsByTransaction_TheBookedEventsOfThatTransactionOnly_ForgottenByARollback()
    {
        var db = Db();
        await db.Index.ApplyBatchAsync(First);
        await db.Index.ApplyBatchAsync(Second);

        (await Db().Index.FindEventsByTransactionAsync(Stream, Tx(2))).ShouldBe([Second.Events[0]]);
        (await db.Index.FindEventsByTransactionAsync(Stream, Tx(3))).ShouldBe([Second.Events[1]]);
        (await db.Index.FindEventsByTransactionAsync(Stream, Tx(9))).ShouldBeEmpty();
        (await db.Index.FindEventsByTransactionAsync("31337:other", Tx(1))).ShouldBeEmpty();

        await db.Index.RollbackAsync(new ChainRollback(Stream, B(3), B(1)));

        (await db.Index.FindEventsByTransactionAsync(Stream, Tx(2))).ShouldBeEmpty();
        (await db.Index.FindEventsByTransactionAsync(Stream, Tx(1))).ShouldBe(First.Events);
    }

    [Fact]
    public async Task Rollback_ToAStoredBlock_ReversesWithNewTransfersAndForgetsTheBlocksAbove()
    {
        var db = Db();
        await db.Index.ApplyBatchAsync(First);
        await db.Index.ApplyBatchAsync(Second);

        var result = await Db().Index.RollbackAsync(new ChainRollback(Stream, B(3), B(1)));

        result.Refusal.ShouldBeNull();
        (result.EventsReversed, result.TransfersReversed).ShouldBe((2, 1));
        result.Checkpoint.ShouldBe(new IndexerCheckpoint(Stream, Chain, B(1), 1, 1, 1));
        (await db.Index.GetCheckpointAsync(Stream)).ShouldBe(result.Checkpoint);
        (await IndexState.NetAsync(db.Ledger, Alice.Id)).ShouldBe(100);
        (await IndexState.NetAsync(db.Ledger, Bob.Id)).ShouldBe(0);
        (await db.Index.ListEventsAsync(Stream)).ShouldBe(First.Events);
        (await db.Index.GetBlocksAsync(Stream, 10, 10)).ShouldBe([B(1)]);
        (await db.Index.GetChannelsAsync(Stream, [Channel])).ShouldBeEmpty();
        var reversal = (await db.Ledger.LookupTransfersAsync([ChainTransferIds.Reversal(Pay.Id)])).Single().Transfer;
        reversal.ShouldBe(new Transfer(ChainTransferIds.Reversal(Pay.Id), Bob.Id, Alice.Id, 40, LedgerAssets.Tgbp, (ushort)ChainTransferCode.Reversal, UserData: Pay.Id));
        (await db.Ledger.LookupTransfersAsync([Pay.Id])).ShouldHaveSingleItem("the journal is append-only: the original stays");
        (await db.Ledger.VerifyJournalAsync()).Ok.ShouldBeTrue();
    }

    [Fact]
    public async Task Rollback_Everything_CheckpointHasNoBlockAndEveryAccountNetsToZero()
    {
        var db = Db();
        await db.Index.ApplyBatchAsync(First);
        await db.Index.ApplyBatchAsync(Second);

        var result = await db.Index.RollbackAsync(new ChainRollback(Stream, B(3), null));

        result.Checkpoint.ShouldBe(new IndexerCheckpoint(Stream, Chain, null, 1, 0, 1));
        (await db.Ledger.ListAccountsAsync()).ShouldAllBe(a => a.DebitsPosted == a.CreditsPosted);
        (await db.Index.ListEventsAsync(Stream)).ShouldBeEmpty();
        (await db.Index.ApplyBatchAsync(First)).Refusal.ShouldBe(ChainIndexRefusal.TransferReversed, "the old ids were reversed: a re-booking needs the new epoch's");
    }

    public static TheoryData<string, ChainRollback, ChainIndexRefusal, string> RollbackRefusals() => new()
    {
        { "stale checkpoint", new ChainRollback(Stream, B(1), null), ChainIndexRefusal.CheckpointMismatch, $"stored checkpoint {B(3)}, rollback expects {B(1)}" },
        { "checkpoint of another fork", new ChainRollback(Stream, B(3, 'f'), B(1)), ChainIndexRefusal.CheckpointMismatch, $"stored checkpoint {B(3)}, rollback expects {B(3, 'f')}" },
        { "target at the checkpoint", new ChainRollback(Stream, B(3), B(3)), ChainIndexRefusal.TargetNotBelowCheckpoint, "target 3 is not below checkpoint 3" },
        { "target of another fork", new ChainRollback(Stream, B(3), B(1, 'f')), ChainIndexRefusal.TargetBlockUnknown, $"block {B(1, 'f')} is not a stored block of stream '{Stream}'" },
        { "target never stored", new ChainRollback(Stream, B(3), B(0)), ChainIndexRefusal.TargetBlockUnknown, $"block {B(0)} is not a stored block of stream '{Stream}'" },
        { "unknown stream", new ChainRollback("other", B(3), null), ChainIndexRefusal.CheckpointMismatch, $"stored checkpoint none, rollback expects {B(3)}" },
    };

    [Theory]
    [MemberData(nameof(RollbackRefusals))]
    public async Task Rollback_Refused_ExactReasonAndNothingChanged(string why, ChainRollback rollback, ChainIndexRefusal expected, string detail)
    {
        var db = Db();
        await db.Index.ApplyBatchAsync(First);
        await db.Index.ApplyBatchAsync(Second);
        var before = await DumpAsync(db);

        var result = await Db().Index.RollbackAsync(rollback);

        (result.Refusal, result.Detail).ShouldBe((expected, detail), why);
        (await DumpAsync(db)).ShouldBe(before, why);
    }

    public static TheoryData<bool, IndexerStep> StoreSteps() => new()
    {
        { false, IndexerStep.StoreLedgerWritten },
        { false, IndexerStep.StoreEventsWritten },
        { false, IndexerStep.StoreCheckpointWritten },
        { true, IndexerStep.StoreLedgerWritten },
        { true, IndexerStep.StoreEventsWritten },
        { true, IndexerStep.StoreCheckpointWritten },
    };

    [Theory]
    [MemberData(nameof(StoreSteps))]
    public async Task Write_CrashInsideTheTransaction_NothingChangedAndTheRetryApplies(bool rollback, IndexerStep step)
    {
        var db = Db();
        await db.Index.ApplyBatchAsync(First);
        if (rollback)
        {
            await db.Index.ApplyBatchAsync(Second);
        }

        var before = await DumpAsync(db);
        ValueTask Crash(IndexerStep at, CancellationToken _) => at == step ? throw new SimulatedCrashException(at) : ValueTask.CompletedTask;

        await Should.ThrowAsync<SimulatedCrashException>(() => rollback
            ? Db().Index.RollbackAsync(new ChainRollback(Stream, B(3), B(1)), Crash)
            : Db().Index.ApplyBatchAsync(Second, Crash));

        (await DumpAsync(db)).ShouldBe(before);
        var retried = rollback ? await Db().Index.RollbackAsync(new ChainRollback(Stream, B(3), B(1))) : await Db().Index.ApplyBatchAsync(Second);
        retried.Applied.ShouldBeTrue();
    }
}
