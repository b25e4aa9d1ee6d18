using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;
using Settlement.Service.Tests.Flows.Support;

namespace Settlement.Service.Tests.Flows;

/// <summary>
/// The settlement records derived from the indexer's events and their ledger transfers: each channel's deposits (funded
/// and topped up) and earlier withdrawals (single and batch redemptions) are its own, events that booked nothing or
/// name no channel are skipped, and an event naming a transfer the journal lacks is corrupt data, not a record.
/// </summary>
public sealed class ChannelSettlementsTests
{
    private const string Stream = "31337:settlements";
    private const ulong ChainId = 31337;
    private const string Contract = "0x4444444444444444444444444444444444444444";
    private static readonly string ChannelA = "0x" + new string('a', 64);
    private static readonly string ChannelB = "0x" + new string('b', 64);
    private static readonly Account Wallet = new(901, LedgerAssets.Tgbp, 1);
    private static readonly Account EscrowA = new(902, LedgerAssets.Tgbp, 1);
    private static readonly Account EscrowB = new(903, LedgerAssets.Tgbp, 1);

    private readonly InMemorySettlementStore _store = new(new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)));
    private readonly List<BookedEvent> _events = [];
    private readonly List<Transfer> _transfers = [];
    private ulong _nextId = 1;

    private static string Tx(int i) => "0x" + i.ToString("x64", CultureInfo.InvariantCulture);

    private void Event(int tx, ChainEventKind kind, string? channel, params (Account From, Account To, ulong Amount, ChainTransferCode Code)[] legs)
    {
        var ids = new List<UInt128>();
        foreach (var (from, to, amount, code) in legs)
        {
            var id = (UInt128)(_nextId++);
            _transfers.Add(new Transfer(id, from.Id, to.Id, amount, LedgerAssets.Tgbp, (ushort)code));
            ids.Add(id);
        }

        _events.Add(new BookedEvent(new ChainEventKey(ChainId, Contract, Tx(tx), 0), (ulong)tx, "0x" + new string('f', 64), kind, ids, ChannelId: channel));
    }

    private async Task BookAsync(IReadOnlyList<Transfer>? transfers = null)
    {
        var block = new BlockRef((ulong)_events.Count, "0x" + new string('f', 64));
        (await _store.ApplyBatchAsync(new ChainBlockBatch(Stream, ChainId, null, block, [block], [Wallet, EscrowA, EscrowB], transfers ?? _transfers, _events, [])))
            .Refusal.ShouldBeNull();
    }

    [Fact]
    public async Task ListAsync_TwoChannelsInterleaved_EachRecordHasItsOwnDepositsAndWithdrawals()
    {
        Event(1, ChainEventKind.TokenTransfer, null, (EscrowB, Wallet, 7, ChainTransferCode.TokenMinted));
        Event(2, ChainEventKind.ChannelOpened, ChannelA, (Wallet, EscrowA, 1_000, ChainTransferCode.ChannelFunded));
        Event(3, ChainEventKind.ChannelOpened, ChannelB, (Wallet, EscrowB, 500, ChainTransferCode.ChannelFunded));
        Event(4, ChainEventKind.ChannelToppedUp, ChannelA, (Wallet, EscrowA, 200, ChainTransferCode.ChannelToppedUp));
        Event(5, ChainEventKind.VoucherRedeemed, ChannelA, (EscrowA, Wallet, 100, ChainTransferCode.VoucherRedeemed));
        Event(6, ChainEventKind.VoucherRedeemed, ChannelA, (EscrowA, Wallet, 200, ChainTransferCode.BatchVoucherRedeemed));
        Event(7, ChainEventKind.VoucherRedeemed, ChannelB, (EscrowB, Wallet, 100, ChainTransferCode.VoucherRedeemed));
        Event(8, ChainEventKind.ChannelClosing, ChannelA);
        Event(9, ChainEventKind.ChannelSettled, ChannelA,
            (EscrowA, Wallet, 600, ChainTransferCode.SettledToPayee), (EscrowA, Wallet, 300, ChainTransferCode.SettledToPayer));
        Event(10, ChainEventKind.ChannelSettled, ChannelB,
            (EscrowB, Wallet, 150, ChainTransferCode.SettledToPayee), (EscrowB, Wallet, 200, ChainTransferCode.SettledToPayer));
        await BookAsync();

        var records = await new ChannelSettlements(_store, _store, Stream).ListAsync();

        records.ShouldBe(
        [
            new ChannelSettlementRecord(ChannelA, Tx(9), 9, 1_200, 300, 600, 300),
            new ChannelSettlementRecord(ChannelB, Tx(10), 10, 500, 100, 150, 200),
        ]);
        records.Select(r => r.Balanced).ShouldBe([true, false]);
        (await new ChannelSettlements(_store, _store, "31337:other").ListAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task ListAsync_SettledEventThatBookedNothing_NoRecord()
    {
        Event(1, ChainEventKind.ChannelOpened, ChannelA, (Wallet, EscrowA, 1_000, ChainTransferCode.ChannelFunded));
        Event(2, ChainEventKind.ChannelSettled, ChannelA);
        await BookAsync();

        (await new ChannelSettlements(_store, _store, Stream).ListAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task ListAsync_EventNamesATransferTheJournalLacks_InvalidData()
    {
        Event(1, ChainEventKind.ChannelOpened, ChannelA, (Wallet, EscrowA, 1_000, ChainTransferCode.ChannelFunded));
        Event(2, ChainEventKind.ChannelSettled, ChannelA, (EscrowA, Wallet, 1_000, ChainTransferCode.SettledToPayee));
        await BookAsync(_transfers.Take(1).ToList());

        var thrown = await Should.ThrowAsync<InvalidDataException>(() => new ChannelSettlements(_store, _store, Stream).ListAsync());

        thrown.Message.ShouldContain("names ledger transfer 2, which the journal does not hold");
    }

    [Theory]
    [InlineData(1_000, 1_000, 0, 0, true)]
    [InlineData(1_000, 400, 600, 0, true)]
    [InlineData(1_000, 400, 600, 1, false)]
    [InlineData(1_000, 400, 599, 0, false)]
    [InlineData(999, 1_000, 0, 0, false)]
    public void Balanced_EscrowEndsAtZero(long deposit, long withdrawn, long payee, long payer, bool expected) =>
        new ChannelSettlementRecord(ChannelA, Tx(1), 1, (UInt128)deposit, (UInt128)withdrawn, (UInt128)payee, (UInt128)payer).Balanced.ShouldBe(expected);

    [Fact]
    public void Constructor_MissingParts_Refused()
    {
        Should.Throw<ArgumentNullException>(() => new ChannelSettlements(null!, _store, Stream));
        Should.Throw<ArgumentNullException>(() => new ChannelSettlements(_store, null!, Stream));
        Should.Throw<ArgumentException>(() => new ChannelSettlements(_store, _store, ""));
    }
}
