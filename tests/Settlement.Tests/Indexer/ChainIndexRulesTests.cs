using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Indexer;

/// <summary>
/// The checks both indexer stores make inside their transaction (<see cref="ChainIndexRules"/>): every refusal with
/// its exact reason and detail, the boundaries of the block range, the reversals a rollback books and the byte layout
/// of the stored transfer ids.
/// </summary>
public sealed class ChainIndexRulesTests
{
    private const string Stream = "s";

    private static string Hash(ulong number, char fork = 'a') => "0x" + new string(fork, 48) + number.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    private static BlockRef Block(ulong number, char fork = 'a') => new(number, Hash(number, fork));

    private static IndexerCheckpoint Stored(BlockRef? block, ulong chainId = 1) => new(Stream, chainId, block, 0, 0, 0);

    private static BookedEvent Event(ulong block, string? hash = null, params UInt128[] transfers) =>
        new(new ChainEventKey(1, "0xc0", "0x" + new string('7', 64), block), block, hash ?? Hash(block), ChainEventKind.TokenTransfer, transfers);

    /// <summary>Continues checkpoint #10 with events in blocks 12 and 15 up to the new checkpoint #20.</summary>
    private static ChainBlockBatch Batch(IReadOnlyList<BlockRef>? blocks = null, BlockRef? newCheckpoint = null, IReadOnlyList<BookedEvent>? events = null, ulong chainId = 1) =>
        new(Stream, chainId, Block(10), newCheckpoint ?? Block(20), blocks ?? [Block(12), Block(15), Block(20)], [], [], events ?? [Event(12), Event(15)], []);

    [Fact]
    public void CheckBatch_ContinuesTheCheckpoint_Accepted() =>
        ChainIndexRules.CheckBatch(Batch(), Stored(Block(10))).ShouldBeNull();

    [Fact]
    public void CheckBatch_FirstBatchOfAStream_AcceptedFromAnyBlock() =>
        ChainIndexRules.CheckBatch(Batch() with { Expected = null, Blocks = [Block(0), Block(20)], Events = [Event(0)] }, null).ShouldBeNull();

    [Fact]
    public void CheckBatch_BlocksAtTheEdgesOfTheRange_Accepted() =>
        ChainIndexRules.CheckBatch(Batch([Block(11), Block(20)], events: [Event(11), Event(20)]), Stored(Block(10))).ShouldBeNull();

    public static TheoryData<string, ChainBlockBatch, IndexerCheckpoint?, ChainIndexRefusal, string> Refused() => new()
    {
        { "other chain", Batch(chainId: 2), Stored(Block(10)), ChainIndexRefusal.ChainIdMismatch, "stream 's' is chain 1, the batch chain 2" },
        { "stale checkpoint", Batch(), Stored(Block(11)), ChainIndexRefusal.CheckpointMismatch, $"stored checkpoint #11 {Hash(11)}, batch continues #10 {Hash(10)}" },
        { "same number, other fork", Batch(), Stored(Block(10, 'b')), ChainIndexRefusal.CheckpointMismatch, $"stored checkpoint #10 {Hash(10, 'b')}, batch continues #10 {Hash(10)}" },
        { "stream has no checkpoint", Batch(), null, ChainIndexRefusal.CheckpointMismatch, $"stored checkpoint none, batch continues #10 {Hash(10)}" },
        { "batch expects none", Batch() with { Expected = null }, Stored(Block(10)), ChainIndexRefusal.CheckpointMismatch, $"stored checkpoint #10 {Hash(10)}, batch continues none" },
        { "block at the checkpoint", Batch([Block(10), Block(20)], events: []), Stored(Block(10)), ChainIndexRefusal.BlocksOutOfRange, $"block 10 is not in (#10 {Hash(10)}, 20] in ascending order" },
        { "block above the new checkpoint", Batch([Block(12), Block(21)], events: []), Stored(Block(10)), ChainIndexRefusal.BlocksOutOfRange, $"block 21 is not in (#10 {Hash(10)}, 20] in ascending order" },
        { "blocks descending", Batch([Block(15), Block(12), Block(20)], events: []), Stored(Block(10)), ChainIndexRefusal.BlocksOutOfRange, $"block 12 is not in (#10 {Hash(10)}, 20] in ascending order" },
        { "block twice", Batch([Block(12), Block(12), Block(20)], events: []), Stored(Block(10)), ChainIndexRefusal.BlocksOutOfRange, $"block 12 is not in (#10 {Hash(10)}, 20] in ascending order" },
        { "new checkpoint at the old one", Batch([], Block(10), []), Stored(Block(10)), ChainIndexRefusal.BlocksOutOfRange, "new checkpoint 10 is not above 10" },
        { "new checkpoint below the old one", Batch([], Block(9), []), Stored(Block(10)), ChainIndexRefusal.BlocksOutOfRange, "new checkpoint 9 is not above 10" },
        { "no blocks", Batch([], events: []), Stored(Block(10)), ChainIndexRefusal.BlocksOutOfRange, "the batch's last block must be its new checkpoint" },
        { "last block not the checkpoint", Batch([Block(12), Block(15)]), Stored(Block(10)), ChainIndexRefusal.BlocksOutOfRange, "the batch's last block must be its new checkpoint" },
        { "last block another fork's", Batch([Block(12), Block(15), Block(20, 'b')]), Stored(Block(10)), ChainIndexRefusal.BlocksOutOfRange, "the batch's last block must be its new checkpoint" },
        { "event in a block not recorded", Batch(events: [Event(12), Event(13)]), Stored(Block(10)), ChainIndexRefusal.BlocksOutOfRange, $"event {Event(13).Key} names block #13 {Hash(13)}, which is not a block of the batch" },
        { "event with another hash", Batch(events: [Event(15, Hash(15, 'b'))]), Stored(Block(10)), ChainIndexRefusal.BlocksOutOfRange, $"event {Event(15).Key} names block #15 {Hash(15, 'b')}, which is not a block of the batch" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void CheckBatch_Refused_ExactReasonAndDetail(string why, ChainBlockBatch batch, IndexerCheckpoint? stored, ChainIndexRefusal refusal, string detail)
    {
        var result = ChainIndexRules.CheckBatch(batch, stored);

        result.ShouldNotBeNull(why);
        result.Value.Refusal.ShouldBe(refusal, why);
        result.Value.Detail.ShouldBe(detail, why);
    }

    [Fact]
    public void CheckBatch_FirstBatchWithAnEarlierBlockThanItsCheckpoint_Accepted() =>
        // No checkpoint: no floor, every ascending block up to the new checkpoint is in range.
        ChainIndexRules.CheckBatch(Batch([Block(1), Block(20)], events: []) with { Expected = null }, null).ShouldBeNull();

    [Theory]
    [InlineData(null)]
    [InlineData(9UL)]
    [InlineData(0UL)]
    public void CheckRollback_TargetBelowTheCheckpointOrEverything_Accepted(ulong? target) =>
        ChainIndexRules.CheckRollback(new ChainRollback(Stream, Block(10), target is { } t ? Block(t) : null), Stored(Block(10))).ShouldBeNull();

    [Fact]
    public void CheckRollback_StaleCheckpoint_CheckpointMismatch()
    {
        var result = ChainIndexRules.CheckRollback(new ChainRollback(Stream, Block(10), Block(5)), Stored(Block(12)));

        result.ShouldNotBeNull();
        result.Value.ShouldBe((ChainIndexRefusal.CheckpointMismatch, $"stored checkpoint #12 {Hash(12)}, rollback expects #10 {Hash(10)}"));
    }

    [Fact]
    public void CheckRollback_StreamWithoutCheckpoint_CheckpointMismatch()
    {
        var result = ChainIndexRules.CheckRollback(new ChainRollback(Stream, Block(10), null), null);

        result.ShouldNotBeNull();
        result.Value.ShouldBe((ChainIndexRefusal.CheckpointMismatch, $"stored checkpoint none, rollback expects #10 {Hash(10)}"));
    }

    [Theory]
    [InlineData(10UL)]
    [InlineData(11UL)]
    public void CheckRollback_TargetNotBelowTheCheckpoint_Refused(ulong target)
    {
        var result = ChainIndexRules.CheckRollback(new ChainRollback(Stream, Block(10), Block(target)), Stored(Block(10)));

        result.ShouldNotBeNull();
        result.Value.ShouldBe((ChainIndexRefusal.TargetNotBelowCheckpoint, $"target {target} is not below checkpoint 10"));
    }

    [Fact]
    public void Reversals_NewestEventAndLegFirst_DebitAndCreditSwapped()
    {
        var a1 = new Transfer(101, 1, 2, 5, 7, 1001);
        var a2 = new Transfer(102, 2, 3, 6, 7, 1002);
        var b1 = new Transfer(201, 4, 5, 8, 9, 1003);
        var stored = new[] { a1, a2, b1 }.ToDictionary(t => t.Id, t => new StoredTransfer(t, DateTimeOffset.UnixEpoch));
        var newestFirst = new[] { Event(15, null, 201), Event(12, null, 101, 102) };

        var reversals = ChainIndexRules.Reversals(newestFirst, stored);

        reversals.ShouldBe(
        [
            new Transfer(ChainTransferIds.Reversal(201), 5, 4, 8, 9, (ushort)ChainTransferCode.Reversal, UserData: 201),
            new Transfer(ChainTransferIds.Reversal(102), 3, 2, 6, 7, (ushort)ChainTransferCode.Reversal, UserData: 102),
            new Transfer(ChainTransferIds.Reversal(101), 2, 1, 5, 7, (ushort)ChainTransferCode.Reversal, UserData: 101),
        ]);
    }

    [Fact]
    public void Reversals_EventsWithoutTransfers_Nothing() =>
        ChainIndexRules.Reversals([Event(12), Event(15)], new Dictionary<UInt128, StoredTransfer>()).ShouldBeEmpty();

    [Fact]
    public void Reversals_TransferMissingFromTheJournal_InvalidDataNamingIt()
    {
        var e = Event(12, null, 101);

        var ex = Should.Throw<InvalidDataException>(() => ChainIndexRules.Reversals([e], new Dictionary<UInt128, StoredTransfer>()));

        ex.Message.ShouldBe($"Indexer event {e.Key} names ledger transfer 101, which the journal does not hold.");
    }

    [Fact]
    public void FirstFailure_OkAndExistsPass_FirstOtherResultNamed()
    {
        CreateTransferResult[] results = [CreateTransferResult.Ok, CreateTransferResult.Exists, CreateTransferResult.ExceedsCredits, CreateTransferResult.IdMustNotBeZero];

        ChainIndexRules.FirstFailure(results, i => (UInt128)(100 + i), CreateTransferResult.Ok, CreateTransferResult.Exists)
            .ShouldBe("102: ExceedsCredits");
    }

    [Fact]
    public void FirstFailure_OnlyOkAndExists_Null()
    {
        CreateTransferResult[] results = [CreateTransferResult.Exists, CreateTransferResult.Ok];

        ChainIndexRules.FirstFailure(results, i => (UInt128)i, CreateTransferResult.Ok, CreateTransferResult.Exists).ShouldBeNull();
    }

    [Fact]
    public void EncodeIds_ConsecutiveBigEndian16ByteValues_DecodeIsTheInverse()
    {
        UInt128[] ids = [1, new UInt128(0x0102030405060708, 0x090a0b0c0d0e0f10)];

        var bytes = ChainIndexRules.EncodeIds(ids);

        Convert.ToHexStringLower(bytes).ShouldBe("00000000000000000000000000000001" + "0102030405060708090a0b0c0d0e0f10");
        ChainIndexRules.DecodeIds(bytes).ShouldBe(ids);
        ChainIndexRules.EncodeIds([]).ShouldBeEmpty();
        ChainIndexRules.DecodeIds([]).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(17)]
    public void DecodeIds_NotAMultipleOf16Bytes_InvalidData(int length) =>
        Should.Throw<InvalidDataException>(() => ChainIndexRules.DecodeIds(new byte[length]))
            .Message.ShouldBe("An indexer event's transfer ids are not a multiple of 16 bytes.");
}
