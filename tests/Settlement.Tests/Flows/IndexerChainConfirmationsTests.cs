using Microsoft.Extensions.Time.Testing;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Tests.Flows.Support;

namespace Settlement.Service.Tests.Flows;

/// <summary>A transaction is confirmed when the indexer booked an event of the asked kind for it in the configured stream.</summary>
public sealed class IndexerChainConfirmationsTests
{
    private const string Stream = "31337:settlements";
    private static readonly string Tx = "0x" + new string('1', 64);

    private readonly InMemorySettlementStore _store = new(new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)));

    private async Task BookAsync(string stream, string tx, ChainEventKind kind)
    {
        var block = new BlockRef(7, "0x" + new string('f', 64));
        var booked = new BookedEvent(new ChainEventKey(31337, "0x4444444444444444444444444444444444444444", tx, 0), 7, block.Hash, kind, []);
        (await _store.ApplyBatchAsync(new ChainBlockBatch(stream, 31337, null, block, [block], [], [], [booked], []))).Refusal.ShouldBeNull();
    }

    [Fact]
    public async Task IsConfirmed_OnlyAnEventOfThatKindInThatStream()
    {
        await BookAsync("31337:other", Tx, ChainEventKind.TokenTransfer);
        await BookAsync(Stream, Tx, ChainEventKind.ChannelOpened);
        var confirmations = new IndexerChainConfirmations(_store, Stream);

        (await confirmations.IsConfirmedAsync(Tx, ChainEventKind.TokenTransfer, default)).ShouldBeFalse();
        (await confirmations.IsConfirmedAsync(Tx, ChainEventKind.ChannelOpened, default)).ShouldBeTrue();

        await BookAsync(Stream, Tx, ChainEventKind.TokenTransfer);
        (await confirmations.IsConfirmedAsync(Tx, ChainEventKind.TokenTransfer, default)).ShouldBeTrue();
    }

    [Fact]
    public void Constructor_NoStoreOrStream_ThrowsNamingIt()
    {
        Should.Throw<ArgumentNullException>(() => new IndexerChainConfirmations(null!, Stream)).ParamName.ShouldBe("store");
        Should.Throw<ArgumentNullException>(() => new IndexerChainConfirmations(_store, null!)).ParamName.ShouldBe("stream");
        Should.Throw<ArgumentException>(() => new IndexerChainConfirmations(_store, "")).ParamName.ShouldBe("stream");
    }

    [Fact]
    public async Task IsConfirmed_EmptyTransactionHash_ThrowsNamingIt()
    {
        var confirmations = new IndexerChainConfirmations(_store, Stream);

        (await Should.ThrowAsync<ArgumentException>(() => confirmations.IsConfirmedAsync("", ChainEventKind.TokenTransfer, default)))
            .ParamName.ShouldBe("transactionHash");
    }
}
