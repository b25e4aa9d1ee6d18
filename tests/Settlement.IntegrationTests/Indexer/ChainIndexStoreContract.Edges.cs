using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>
/// Edges of the indexer's tables on each store: arguments refused by name, the exact refusal details, numbers a
/// 64-bit signed column cannot hold, a channel with no payee total, and the order in which a rollback reverses.
/// </summary>
public abstract partial class ChainIndexStoreContract
{
    /// <summary>One above the largest value a signed 64-bit column holds.</summary>
    private const ulong BeyondInt64 = (ulong)long.MaxValue + 1;

    [Fact]
    public async Task NullOrEmptyArguments_RefusedByTheirName()
    {
        var db = Db();

        (await Should.ThrowAsync<ArgumentException>(() => db.Index.GetCheckpointAsync(""))).ParamName.ShouldBe("stream");
        (await Should.ThrowAsync<ArgumentException>(() => db.Index.GetBlocksAsync("", 10, 10))).ParamName.ShouldBe("stream");
        (await Should.ThrowAsync<ArgumentOutOfRangeException>(() => db.Index.GetBlocksAsync(Stream, 10, 0))).ParamName.ShouldBe("limit");
        (await Should.ThrowAsync<ArgumentOutOfRangeException>(() => db.Index.GetBlocksAsync(Stream, 10, -1))).ParamName.ShouldBe("limit");
        (await Should.ThrowAsync<ArgumentException>(() => db.Index.GetChannelsAsync("", [Channel]))).ParamName.ShouldBe("stream");
        (await Should.ThrowAsync<ArgumentNullException>(() => db.Index.GetChannelsAsync(Stream, null!))).ParamName.ShouldBe("channelIds");
        (await Should.ThrowAsync<ArgumentException>(() => db.Index.ListEventsAsync(""))).ParamName.ShouldBe("stream");
        (await Should.ThrowAsync<ArgumentException>(() => db.Index.FindEventsByTransactionAsync("", Tx(1)))).ParamName.ShouldBe("stream");
        (await Should.ThrowAsync<ArgumentException>(() => db.Index.FindEventsByTransactionAsync(Stream, ""))).ParamName.ShouldBe("transactionHash");
        (await Should.ThrowAsync<ArgumentNullException>(() => db.Index.FindEventsByTransactionAsync(Stream, null!))).ParamName.ShouldBe("transactionHash");
        (await Should.ThrowAsync<ArgumentNullException>(() => db.Index.ApplyBatchAsync(null!))).ParamName.ShouldBe("batch");
        (await Should.ThrowAsync<ArgumentNullException>(() => db.Index.RollbackAsync(null!))).ParamName.ShouldBe("rollback");
        (await db.Index.GetCheckpointAsync(Stream)).ShouldBeNull();
    }

    [Fact]
    public async Task ApplyBatch_Refused_DetailNamesTheAccountOrTransferAndTheLedgerResult()
    {
        var db = Db();
        await db.Index.ApplyBatchAsync(First);

        var account = await db.Index.ApplyBatchAsync(Second with { Accounts = [Alice with { Code = (ushort)AccountCode.Fees }, Bob] });
        var transfer = await db.Index.ApplyBatchAsync(Second with { Transfers = [Mint with { Amount = 99 }] });

        (account.Refusal, account.Detail).ShouldBe((ChainIndexRefusal.AccountConflict, $"account {Alice.Id}: {CreateAccountResult.ExistsWithDifferentCode}"));
        (transfer.Refusal, transfer.Detail).ShouldBe((ChainIndexRefusal.LedgerRefused, $"transfer {Mint.Id}: {CreateTransferResult.ExistsWithDifferentAmount}"));
    }

    [Fact]
    public async Task ApplyBatch_TransfersAnEarlierEpochReversed_RefusedNamingTheSmallestReversalAndNothingChanged()
    {
        var db = Db();
        await db.Index.ApplyBatchAsync(First);
        await db.Index.ApplyBatchAsync(Second);
        await db.Index.RollbackAsync(new ChainRollback(Stream, B(3), null));
        var before = await DumpAsync(db);
        var both = new ChainBlockBatch(
            Stream, Chain, null, B(2), [B(1), B(2)], [Issuance, Alice, Bob], [Mint, Pay], [First.Events[0], Second.Events[0]], []);

        var one = await Db().Index.ApplyBatchAsync(First);
        var two = await Db().Index.ApplyBatchAsync(both);

        (one.Refusal, one.Detail).ShouldBe((ChainIndexRefusal.TransferReversed, $"transfer {Mint.Id} was reversed by {ChainTransferIds.Reversal(Mint.Id)}"));
        var named = new[] { Mint.Id, Pay.Id }.MinBy(ChainTransferIds.Reversal);
        (two.Refusal, two.Detail).ShouldBe((ChainIndexRefusal.TransferReversed, $"transfer {named} was reversed by {ChainTransferIds.Reversal(named)}"));
        (await DumpAsync(db)).ShouldBe(before);
    }

    [Fact]
    public async Task ApplyBatch_TransferAlreadyPostedThroughTheLedgerNotReversed_EventBookedAmountNotDoubled()
    {
        var db = Db();
        (await db.Ledger.CreateAccountsAsync([Issuance, Alice])).ShouldBe([CreateAccountResult.Ok, CreateAccountResult.Ok]);
        (await db.Ledger.CreateTransfersAsync([Mint])).ShouldBe([CreateTransferResult.Ok]);

        var result = await db.Index.ApplyBatchAsync(First);

        // The transfer exists and no rollback reversed it: the ledger answers Exists, which books the event without a second posting.
        (result.Refusal, result.Detail).ShouldBe((null, null));
        result.Checkpoint!.Block.ShouldBe(B(1));
        (await db.Index.ListEventsAsync(Stream)).ShouldHaveSingleItem().TransferIds.ShouldBe([Mint.Id]);
        (await db.Ledger.LookupAccountsAsync([Alice.Id])).ShouldHaveSingleItem().CreditsPosted.ShouldBe((UInt128)100);
    }

    [Fact]
    public async Task Rollback_ReversalIdTakenWithAnotherAmount_LedgerRefusedNamingTheReversalAndNothingChanged()
    {
        var db = Db();
        await db.Index.ApplyBatchAsync(First);
        await db.Index.ApplyBatchAsync(Second);
        var reversal = ChainTransferIds.Reversal(Pay.Id);
        var squatter = new Transfer(reversal, Bob.Id, Alice.Id, 39, LedgerAssets.Tgbp, (ushort)ChainTransferCode.Reversal, UserData: Pay.Id);
        (await db.Ledger.CreateTransfersAsync([squatter])).ShouldBe([CreateTransferResult.Ok]);
        var before = await DumpAsync(db);

        var result = await Db().Index.RollbackAsync(new ChainRollback(Stream, B(3), B(1)));

        (result.Refusal, result.Detail).ShouldBe((ChainIndexRefusal.LedgerRefused, $"reversal {reversal}: {CreateTransferResult.ExistsWithDifferentAmount}"));
        (await DumpAsync(db)).ShouldBe(before);
        (await db.Index.GetCheckpointAsync(Stream))!.Block.ShouldBe(B(3));
    }

    /// <summary>
    /// A rollback undoes the newest event first. The order shows in the journal's hash chain: it must equal the head of
    /// a second ledger given the same accounts and transfers through the ledger API, the reversals newest first.
    /// </summary>
    [Fact]
    public async Task Rollback_ReversesTheNewestEventFirst_JournalAsIfBookedInThatOrder()
    {
        var db = Db();
        await db.Index.ApplyBatchAsync(First);
        await db.Index.ApplyBatchAsync(Second);
        await db.Index.RollbackAsync(new ChainRollback(Stream, B(3), null));

        var other = Open(await NewDatabaseAsync());
        await other.Ledger.CreateAccountsAsync([Issuance, Alice]);
        await other.Ledger.CreateTransfersAsync([Mint]);
        await other.Ledger.CreateAccountsAsync([Alice, Bob]);
        await other.Ledger.CreateTransfersAsync([Pay]);
        var undoPay = new Transfer(ChainTransferIds.Reversal(Pay.Id), Bob.Id, Alice.Id, 40, LedgerAssets.Tgbp, (ushort)ChainTransferCode.Reversal, UserData: Pay.Id);
        var undoMint = new Transfer(ChainTransferIds.Reversal(Mint.Id), Alice.Id, Issuance.Id, 100, LedgerAssets.Tgbp, (ushort)ChainTransferCode.Reversal, UserData: Mint.Id);
        (await other.Ledger.CreateTransfersAsync([undoPay, undoMint])).ShouldBe([CreateTransferResult.Ok, CreateTransferResult.Ok]);

        var indexed = await db.Ledger.VerifyJournalAsync();
        var expected = await other.Ledger.VerifyJournalAsync();
        (indexed.Ok, indexed.Entries).ShouldBe((true, 7), indexed.Problem);
        indexed.HeadHash.ShouldBe(expected.HeadHash);
    }

    [Fact]
    public async Task GetChannels_NoPayeeTotalBooked_RedeemedIsZero()
    {
        var db = Db();
        await db.Index.ApplyBatchAsync(First);

        (await db.Index.ApplyBatchAsync(Second with { Events = [Second.Events[0]] })).Applied.ShouldBeTrue();

        (await Db().Index.GetChannelsAsync(Stream, [Channel])).ShouldBe([Second.Channels[0] with { PayeeRedeemed = 0 }]);
    }

    public static TheoryData<string, Func<ChainBlockBatch, ChainBlockBatch>> NumbersBeyondInt64() => new()
    {
        { "new checkpoint", b => b with { Blocks = [.. b.Blocks, new BlockRef(BeyondInt64, B(4).Hash)], NewCheckpoint = new BlockRef(BeyondInt64, B(4).Hash) } },
        { "event log index", b => b with { Events = [b.Events[0], b.Events[1] with { Key = b.Events[1].Key with { LogIndex = BeyondInt64 } }] } },
        { "event chain id", b => b with { Events = [b.Events[0], b.Events[1] with { Key = b.Events[1].Key with { ChainId = BeyondInt64 } }] } },
        { "channel opened block", b => b with { Channels = [b.Channels[0] with { OpenedBlock = BeyondInt64 }] } },
    };

    /// <summary>The columns are signed 64-bit: a larger number is refused, never stored wrapped to a negative one.</summary>
    [Theory]
    [MemberData(nameof(NumbersBeyondInt64))]
    public async Task ApplyBatch_NumberBeyondInt64_OverflowAndNothingChanged(string why, Func<ChainBlockBatch, ChainBlockBatch> spoil)
    {
        var db = Db();
        await db.Index.ApplyBatchAsync(First);
        var before = await DumpAsync(db);

        await Should.ThrowAsync<OverflowException>(() => Db().Index.ApplyBatchAsync(spoil(Second)), why);

        (await DumpAsync(db)).ShouldBe(before, why);
        (await db.Index.ApplyBatchAsync(Second)).Applied.ShouldBeTrue("the unspoilt batch still applies");
    }

    [Fact]
    public async Task ApplyBatch_ChainIdBeyondInt64_OverflowAndNothingStored()
    {
        var db = Db();

        await Should.ThrowAsync<OverflowException>(() => db.Index.ApplyBatchAsync(First with { ChainId = BeyondInt64 }));

        (await db.Index.GetCheckpointAsync(Stream)).ShouldBeNull();
        (await db.Index.ListEventsAsync(Stream)).ShouldBeEmpty();
        (await db.Ledger.ListAccountsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Rollback_HistoryRowRecordsTheRangeAndTheTarget()
    {
        var db = Db();
        await db.Index.ApplyBatchAsync(First);
        await db.Index.ApplyBatchAsync(Second);

        await db.Index.RollbackAsync(new ChainRollback(Stream, B(3), B(1)));
        await db.Index.RollbackAsync(new ChainRollback(Stream, B(1), null));

        var rows = await QueryAsync("SELECT stream, epoch, from_block, from_hash, to_block, to_hash, events_reversed, transfers_reversed, at FROM indexer_rollbacks ORDER BY epoch");

        rows.ShouldBe(
        [
            $"{Stream}|1|3|{B(3).Hash}|1|{B(1).Hash}|2|1|{T0.UtcTicks}",
            $"{Stream}|2|1|{B(1).Hash}|NULL|NULL|1|1|{T0.UtcTicks}",
        ]);
    }

    [Fact]
    public async Task PayeeTotalCorruptedInTheDatabase_ReadRefusedNamingTheColumn()
    {
        var db = Db();
        await db.Index.ApplyBatchAsync(First);
        await db.Index.ApplyBatchAsync(Second);
        (await ExecuteAsync($"UPDATE indexer_events SET payee_cumulative = {OneZeroByteBlob} WHERE payee_cumulative IS NOT NULL")).ShouldBe(1);

        const string Message = "The ledger's payee cumulative is not a 16-byte value.";
        (await Should.ThrowAsync<InvalidDataException>(() => Db().Index.GetChannelsAsync(Stream, [Second.Channels[0].ChannelId]))).Message.ShouldBe(Message);
        (await Should.ThrowAsync<InvalidDataException>(() => Db().Index.ListEventsAsync(Stream))).Message.ShouldBe(Message);
    }
}
