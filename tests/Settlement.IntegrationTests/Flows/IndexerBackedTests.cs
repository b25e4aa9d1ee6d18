using System.Globalization;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>
/// The flows' views over what the indexer booked, on the real SQLite store: confirmations, the merchants' wallet
/// balances and the channel settlement records with their invariant.
/// </summary>
public sealed class IndexerBackedTests : FlowTestBase
{
    private const string Stream = "31337:flows";
    private const ulong ChainId = 31337;
    private const string Contract = "0x4444444444444444444444444444444444444444";
    private const string Token = "0x5555555555555555555555555555555555555555";
    private static readonly string Channel = "0x" + new string('c', 64);
    private static readonly Account Issuance = ChainAccounts.Issuance(ChainId, LedgerAssets.Tgbp, Token);
    private static readonly Account PayerWallet = ChainAccounts.Wallet(ChainId, LedgerAssets.Tgbp, Payer);
    private static readonly Account PayeeWallet = ChainAccounts.Wallet(ChainId, LedgerAssets.Tgbp, Payee);
    private static readonly Account Escrow = ChainAccounts.Escrow(ChainId, LedgerAssets.Tgbp, Contract, Channel);

    [Fact]
    public async Task IndexerChainConfirmations_ConfirmedOnlyForABookedEventOfThatKind()
    {
        await BookChannelLifeAsync(settleToPayee: 500, settleToPayer: 200);
        var confirmations = new IndexerChainConfirmations(Store(), Stream);

        (await confirmations.IsConfirmedAsync(Tx(2), ChainEventKind.ChannelOpened, default)).ShouldBeTrue();
        (await confirmations.IsConfirmedAsync(Tx(2), ChainEventKind.ChannelToppedUp, default)).ShouldBeFalse();
        (await confirmations.IsConfirmedAsync(Tx(1), ChainEventKind.TokenTransfer, default)).ShouldBeTrue();
        (await confirmations.IsConfirmedAsync(Tx(99), ChainEventKind.TokenTransfer, default)).ShouldBeFalse();
        (await new IndexerChainConfirmations(Store(), "other").IsConfirmedAsync(Tx(2), ChainEventKind.ChannelOpened, default)).ShouldBeFalse();
    }

    [Fact]
    public async Task IndexedWalletBalances_TheWalletsNetPosition_ZeroForAnUnknownAddress()
    {
        await BookChannelLifeAsync(settleToPayee: 500, settleToPayer: 200);
        var balances = new IndexedWalletBalances(Store(), ChainId);

        (await balances.GetBalanceAsync(new PayoutMerchant { Id = "m", Address = Payee.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal) }, default)).ShouldBe((UInt128)800);
        (await balances.GetBalanceAsync(new PayoutMerchant { Id = "m", Address = Payer }, default)).ShouldBe((UInt128)200);
        (await balances.GetBalanceAsync(new PayoutMerchant { Id = "m", Address = MerchantAddress }, default)).ShouldBe(UInt128.Zero);
        (await new IndexedWalletBalances(Store(), 1).GetBalanceAsync(new PayoutMerchant { Id = "m", Address = Payee }, default)).ShouldBe(UInt128.Zero);
    }

    [Fact]
    public async Task ChannelSettlements_OneRecordPerSettlement_BalancedWhenTheEscrowEndsAtZero()
    {
        await BookChannelLifeAsync(settleToPayee: 500, settleToPayer: 200);

        var record = (await new ChannelSettlements(Store(), Store(), Stream).ListAsync()).ShouldHaveSingleItem();

        record.ShouldBe(new ChannelSettlementRecord(Channel, Tx(5), 5, 1_000, 300, 500, 200));
        record.Balanced.ShouldBeTrue();
    }

    [Fact]
    public async Task ChannelSettlements_SplitNotMatchingTheEscrow_ReportedUnbalanced()
    {
        await BookChannelLifeAsync(settleToPayee: 500, settleToPayer: 100);

        var record = (await new ChannelSettlements(Store(), Store(), Stream).ListAsync()).ShouldHaveSingleItem();

        (record.Deposit, record.EarlierWithdrawals, record.PayeePayout, record.PayerRefund).ShouldBe(((UInt128)1_000, (UInt128)300, (UInt128)500, (UInt128)100));
        record.Balanced.ShouldBeFalse();
    }

    [Fact]
    public async Task ChannelSettlements_NoSettlementYet_Empty()
    {
        (await new ChannelSettlements(Store(), Store(), Stream).ListAsync()).ShouldBeEmpty();
    }

    private static string Tx(int i) => "0x" + i.ToString("x64", CultureInfo.InvariantCulture);

    private static BlockRef B(ulong n) => new(n, "0x" + new string('b', 62) + n.ToString("x2", CultureInfo.InvariantCulture));

    /// <summary>1000 minted to the payer (tx 1), a channel opened with it (tx 2), 300 redeemed to the payee (tx 3), closing (tx 4), settled (tx 5).</summary>
    private async Task BookChannelLifeAsync(ulong settleToPayee, ulong settleToPayer)
    {
        var events = new List<BookedEvent>();
        var transfers = new List<Transfer>();
        void Book(int tx, ChainEventKind kind, string? channel, params (Account From, Account To, ulong Amount, ChainTransferCode Code)[] legs)
        {
            var block = B((ulong)tx);
            var key = new ChainEventKey(ChainId, kind == ChainEventKind.TokenTransfer ? Token : Contract, Tx(tx), 0);
            var ids = new List<UInt128>();
            for (var leg = 0; leg < legs.Length; leg++)
            {
                var id = ChainTransferIds.ForEvent(ChainId, key.Contract, key.TransactionHash, 0, block.Hash, 0, leg);
                transfers.Add(new Transfer(id, legs[leg].From.Id, legs[leg].To.Id, legs[leg].Amount, LedgerAssets.Tgbp, (ushort)legs[leg].Code));
                ids.Add(id);
            }

            events.Add(new BookedEvent(key, block.Number, block.Hash, kind, ids, ChannelId: channel));
        }

        Book(1, ChainEventKind.TokenTransfer, null, (Issuance, PayerWallet, 1_000, ChainTransferCode.TokenMinted));
        Book(2, ChainEventKind.ChannelOpened, Channel, (PayerWallet, Escrow, 1_000, ChainTransferCode.ChannelFunded));
        Book(3, ChainEventKind.VoucherRedeemed, Channel, (Escrow, PayeeWallet, 300, ChainTransferCode.VoucherRedeemed));
        Book(4, ChainEventKind.ChannelClosing, Channel);
        Book(5, ChainEventKind.ChannelSettled, Channel,
            (Escrow, PayerWallet, settleToPayer, ChainTransferCode.SettledToPayer), (Escrow, PayeeWallet, settleToPayee, ChainTransferCode.SettledToPayee));
        var blocks = Enumerable.Range(1, 5).Select(i => B((ulong)i)).ToList();
        var result = await Store().ApplyBatchAsync(new ChainBlockBatch(
            Stream, ChainId, null, blocks[^1], blocks, [Issuance, PayerWallet, PayeeWallet, Escrow], transfers, events,
            [new IndexedChannel(Channel, Payer, Payee, Token, 2)]));
        result.Refusal.ShouldBeNull(result.Detail);
    }
}
