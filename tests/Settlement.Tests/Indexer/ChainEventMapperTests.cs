using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Indexer;

public sealed class ChainEventMapperTests
{
    private const ulong ChainId = 31337;
    private const string BlockHash = "0x00000000000000000000000000000000000000000000000000000000000000bb";
    private static readonly Address Contract = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    private static readonly Address Token = Address.Parse("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
    private static readonly Address OtherToken = Address.Parse("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");
    private static readonly Address Payer = Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static readonly Address Payee = Address.Parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    private static readonly Address Funder = Address.Parse("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    private static readonly ChannelId Channel = ChannelId.FromBytes(Enumerable.Repeat((byte)0x42, 32).ToArray());

    private readonly ChainEventMapper _mapper = new(ChainId, Contract, Token, LedgerAssets.Tgbp);
    private readonly Dictionary<string, IndexedChannel> _channels = new(StringComparer.Ordinal);
    private ulong _logIndex;

    private static UInt128 Wallet(Address a) => ChainAccounts.Wallet(ChainId, LedgerAssets.Tgbp, a.ToLowerHex()).Id;

    private static UInt128 Escrow => ChainAccounts.Escrow(ChainId, LedgerAssets.Tgbp, Contract.ToLowerHex(), Channel.ToString()).Id;

    private static UInt128 Owed(Address a) => ChainAccounts.Owed(ChainId, LedgerAssets.Tgbp, Contract.ToLowerHex(), a.ToLowerHex()).Id;

    private static UInt128 Issuance => ChainAccounts.Issuance(ChainId, LedgerAssets.Tgbp, Token.ToLowerHex()).Id;

    private EventBooking Map(ChannelEvent? channelEvent, Erc20Transfer? token = null, long epoch = 0, string blockHash = BlockHash)
    {
        var kind = channelEvent switch
        {
            ChannelOpenedEvent => ChainEventKind.ChannelOpened,
            ChannelToppedUpEvent => ChainEventKind.ChannelToppedUp,
            VoucherRedeemedEvent => ChainEventKind.VoucherRedeemed,
            BatchVoucherRedeemedEvent => ChainEventKind.BatchVoucherRedeemed,
            ChannelClosingEvent => ChainEventKind.ChannelClosing,
            ChannelSettledEvent => ChainEventKind.ChannelSettled,
            PayoutDeferredEvent => ChainEventKind.PayoutDeferred,
            OwedWithdrawnEvent => ChainEventKind.OwedWithdrawn,
            _ => ChainEventKind.TokenTransfer,
        };
        var emitter = channelEvent is null ? Token : Contract;
        var key = new ChainEventKey(ChainId, emitter.ToLowerHex(), "0x" + new string('a', 64), _logIndex++);
        return _mapper.Map(new ChainLog(key, 7, blockHash, kind, channelEvent, token), epoch, _channels);
    }

    private static (UInt128 Debit, UInt128 Credit, UInt128 Amount, ushort Code) Leg(Transfer t) => (t.DebitAccountId, t.CreditAccountId, t.Amount, t.Code);

    private EventBooking Open(BigInteger deposit, Address? token = null) =>
        Map(new ChannelOpenedEvent(Channel, new ChannelParameters(Payer, Payee, token ?? Token, 3600, 1), Funder, deposit));

    [Fact]
    public void Map_ChannelOpened_FunderWalletToEscrowAndChannelRegistered()
    {
        var booking = Open(5_000);

        booking.Transfers.Select(Leg).ShouldBe([(Wallet(Funder), Escrow, (UInt128)5_000, (ushort)ChainTransferCode.ChannelFunded)]);
        booking.Transfers[0].Ledger.ShouldBe(LedgerAssets.Tgbp);
        booking.Transfers[0].UserData.ShouldBe((UInt128)7);
        booking.Event.Ignored.ShouldBeNull();
        booking.OpenedChannel.ShouldBe(new IndexedChannel(Channel.ToString(), Payer.ToLowerHex(), Payee.ToLowerHex(), Token.ToLowerHex(), 7));
        _channels.Keys.ShouldBe([Channel.ToString()]);
        booking.Accounts.Select(a => (a.Id, (AccountCode)a.Code)).ShouldBe([(Wallet(Funder), AccountCode.OnChainWallet), (Escrow, AccountCode.ChannelEscrow)]);
    }

    [Fact]
    public void Map_ToppedUpEitherSide_FunderWalletToEscrow()
    {
        var payerSide = Map(new ChannelToppedUpEvent(Channel, Payer, Payee, Token, Payer, false, 300, 5_300));
        var payeeSide = Map(new ChannelToppedUpEvent(Channel, Payer, Payee, Token, Payee, true, 200, 200));

        payerSide.Transfers.Select(Leg).ShouldBe([(Wallet(Payer), Escrow, (UInt128)300, (ushort)ChainTransferCode.ChannelToppedUp)]);
        payeeSide.Transfers.Select(Leg).ShouldBe([(Wallet(Payee), Escrow, (UInt128)200, (ushort)ChainTransferCode.ChannelToppedUp)]);
    }

    [Fact]
    public void Map_VoucherRedeemed_EscrowToReceiverAndPayeeTotalTracked()
    {
        Open(5_000);

        var toPayee = Map(new VoucherRedeemedEvent(Channel, Payer, Payee, Token, true, 700, 700));
        var toPayer = Map(new VoucherRedeemedEvent(Channel, Payer, Payee, Token, false, 50, 50));

        toPayee.Transfers.Select(Leg).ShouldBe([(Escrow, Wallet(Payee), (UInt128)700, (ushort)ChainTransferCode.VoucherRedeemed)]);
        toPayee.Event.PayeeCumulative.ShouldBe((UInt128)700);
        toPayer.Transfers.Select(Leg).ShouldBe([(Escrow, Wallet(Payer), (UInt128)50, (ushort)ChainTransferCode.VoucherRedeemed)]);
        toPayer.Event.PayeeCumulative.ShouldBeNull();
        _channels[Channel.ToString()].PayeeRedeemed.ShouldBe((UInt128)700);
    }

    [Fact]
    public void Map_BatchRedeemed_BooksTheIncreaseOverThePreviousTotal()
    {
        Open(5_000);
        Map(new VoucherRedeemedEvent(Channel, Payer, Payee, Token, true, 700, 700));

        var first = Map(new BatchVoucherRedeemedEvent(Channel, 1_000));
        var second = Map(new BatchVoucherRedeemedEvent(Channel, 1_600));

        first.Transfers.Select(Leg).ShouldBe([(Escrow, Wallet(Payee), (UInt128)300, (ushort)ChainTransferCode.BatchVoucherRedeemed)]);
        second.Transfers.Select(Leg).ShouldBe([(Escrow, Wallet(Payee), (UInt128)600, (ushort)ChainTransferCode.BatchVoucherRedeemed)]);
        second.Event.PayeeCumulative.ShouldBe((UInt128)1_600);
    }

    [Fact]
    public void Map_BatchRedeemedOfAChannelOpenedBeforeTheStart_RecordedAsUnknownChannel()
    {
        var booking = Map(new BatchVoucherRedeemedEvent(Channel, 1_000));

        booking.Transfers.ShouldBeEmpty();
        booking.Event.Ignored.ShouldBe(EventIgnoredReason.UnknownChannel);
        booking.Event.PayeeCumulative.ShouldBe((UInt128)1_000);
    }

    [Fact]
    public void Map_Settled_RefundToPayerAndRestToPayeeZeroLegsSkipped()
    {
        var both = Map(new ChannelSettledEvent(Channel, Payer, Payee, Token, false, 4_000, 300));
        var payerOnly = Map(new ChannelSettledEvent(Channel, Payer, Payee, Token, true, 900, 0));

        both.Transfers.Select(Leg).ShouldBe(
        [
            (Escrow, Wallet(Payer), (UInt128)4_000, (ushort)ChainTransferCode.SettledToPayer),
            (Escrow, Wallet(Payee), (UInt128)300, (ushort)ChainTransferCode.SettledToPayee),
        ]);
        both.Transfers[0].Id.ShouldNotBe(both.Transfers[1].Id);
        payerOnly.Transfers.Select(Leg).ShouldBe([(Escrow, Wallet(Payer), (UInt128)900, (ushort)ChainTransferCode.SettledToPayer)]);
    }

    [Fact]
    public void Map_DeferredPayoutAndWithdrawal_ThroughTheOwedAccount()
    {
        var deferred = Map(new PayoutDeferredEvent(Channel, Payee, Token, 300));
        var withdrawn = Map(new OwedWithdrawnEvent(Payee, Token, Funder, 300));

        deferred.Transfers.Select(Leg).ShouldBe([(Wallet(Payee), Owed(Payee), (UInt128)300, (ushort)ChainTransferCode.PayoutDeferred)]);
        withdrawn.Transfers.Select(Leg).ShouldBe([(Owed(Payee), Wallet(Funder), (UInt128)300, (ushort)ChainTransferCode.OwedWithdrawn)]);
    }

    [Fact]
    public void Map_Closing_NoMovement()
    {
        var booking = Map(new ChannelClosingEvent(Channel, Payer, Payee, Token, Payer, 99));

        booking.Transfers.ShouldBeEmpty();
        booking.Event.Ignored.ShouldBe(EventIgnoredReason.NoMovement);
        booking.Event.ChannelId.ShouldBe(Channel.ToString());
    }

    [Fact]
    public void Map_ChannelInAnotherToken_RecordedNotBooked()
    {
        var opened = Open(5_000, OtherToken);
        var redeemed = Map(new BatchVoucherRedeemedEvent(Channel, 10));

        opened.Transfers.ShouldBeEmpty();
        opened.Event.Ignored.ShouldBe(EventIgnoredReason.UnmappedToken);
        redeemed.Event.Ignored.ShouldBe(EventIgnoredReason.UnmappedToken);
    }

    public static TheoryData<string, Address, Address, UInt128?, UInt128?, ushort?, EventIgnoredReason?> TokenTransfers()
    {
        var data = new TheoryData<string, Address, Address, UInt128?, UInt128?, ushort?, EventIgnoredReason?>
        {
            { "mint", Address.Zero, Payer, Issuance, Wallet(Payer), (ushort)ChainTransferCode.TokenMinted, null },
            { "burn", Payer, Address.Zero, Wallet(Payer), Issuance, (ushort)ChainTransferCode.TokenBurned, null },
            { "transfer", Payer, Payee, Wallet(Payer), Wallet(Payee), (ushort)ChainTransferCode.TokenTransferred, null },
            { "into the channel contract", Payer, Contract, null, null, null, EventIgnoredReason.CoveredByChannelEvent },
            { "out of the channel contract", Contract, Payee, null, null, null, EventIgnoredReason.CoveredByChannelEvent },
            { "to itself", Payer, Payer, null, null, null, EventIgnoredReason.NoMovement },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(TokenTransfers))]
    public void Map_TokenTransfer_AsExpected(string why, Address from, Address to, UInt128? debit, UInt128? credit, ushort? code, EventIgnoredReason? ignored)
    {
        var booking = Map(null, new Erc20Transfer(from, to, 1_234));

        booking.Event.Ignored.ShouldBe(ignored, why);
        if (debit is { } d)
        {
            booking.Transfers.Select(Leg).ShouldBe([(d, credit!.Value, (UInt128)1_234, code!.Value)], why);
        }
        else
        {
            booking.Transfers.ShouldBeEmpty(why);
        }
    }

    [Fact]
    public void Map_AmountBeyond128Bits_RecordedAsOutOfRange()
    {
        var booking = Map(null, new Erc20Transfer(Payer, Payee, BigInteger.One << 200));

        booking.Transfers.ShouldBeEmpty();
        booking.Accounts.ShouldBeEmpty();
        booking.Event.Ignored.ShouldBe(EventIgnoredReason.AmountOutOfRange);
    }

    [Fact]
    public void Map_SettledWithOneLegBeyond128Bits_NoLegBookedNotEvenTheOneInRange()
    {
        Open(5_000);

        var booking = Map(new ChannelSettledEvent(Channel, Payer, Payee, Token, false, 4_000, (BigInteger)UInt128.MaxValue + 1));

        booking.Transfers.ShouldBeEmpty();
        booking.Accounts.ShouldBeEmpty();
        booking.Event.Ignored.ShouldBe(EventIgnoredReason.AmountOutOfRange);
    }

    [Fact]
    public void Map_RedeemedCumulativeBeyond128Bits_OutOfRangeAndTheChannelsTotalUnchanged()
    {
        Open(5_000);
        Map(new VoucherRedeemedEvent(Channel, Payer, Payee, Token, true, 700, 700));

        var single = Map(new VoucherRedeemedEvent(Channel, Payer, Payee, Token, true, 1, (BigInteger)UInt128.MaxValue + 1));
        var batch = Map(new BatchVoucherRedeemedEvent(Channel, (BigInteger)UInt128.MaxValue + 1));

        foreach (var booking in new[] { single, batch })
        {
            booking.Transfers.ShouldBeEmpty();
            booking.Accounts.ShouldBeEmpty();
            booking.Event.Ignored.ShouldBe(EventIgnoredReason.AmountOutOfRange);
        }

        _channels[Channel.ToString()].PayeeRedeemed.ShouldBe((UInt128)700);
    }

    [Fact]
    public void Map_TokenTransferFromZeroToZero_NoMovement()
    {
        var booking = Map(null, new Erc20Transfer(Address.Zero, Address.Zero, 5));

        booking.Transfers.ShouldBeEmpty();
        booking.Accounts.ShouldBeEmpty();
        booking.Event.Ignored.ShouldBe(EventIgnoredReason.NoMovement);
    }

    [Fact]
    public void Map_NullArguments_RefusedByName()
    {
        var key = new ChainEventKey(ChainId, Token.ToLowerHex(), "0x" + new string('a', 64), 0);
        var log = new ChainLog(key, 7, BlockHash, ChainEventKind.TokenTransfer, null, new Erc20Transfer(Payer, Payee, 5));

        Should.Throw<ArgumentNullException>(() => _mapper.Map(null!, 0, _channels)).ParamName.ShouldBe("log");
        Should.Throw<ArgumentNullException>(() => _mapper.Map(log, 0, null!)).ParamName.ShouldBe("channels");
    }

    [Theory]
    [InlineData(0UL, 0, 0UL)]
    [InlineData(0xFFFF_FFFFUL, 0, 0xFFFF_FFFFUL)]
    [InlineData(3UL, 2, 0x2_0000_0003UL)]
    [InlineData(0xFFFF_FFFFUL, int.MaxValue, 0x7FFF_FFFF_FFFF_FFFFUL)]
    public void Position_ItemAboveTheLogIndex_ChainOrder(ulong logIndex, int item, ulong expected) =>
        ChainEventKey.Position(logIndex, item).ShouldBe(expected);

    [Fact]
    public void Position_LogIndexPast32BitsOrNegativeItem_Refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => ChainEventKey.Position(0x1_0000_0000UL, 0)).ParamName.ShouldBe("logIndex");
        Should.Throw<ArgumentOutOfRangeException>(() => ChainEventKey.Position(0, -1)).ParamName.ShouldBe("item");
    }

    [Fact]
    public void Map_AmountAt128BitEdge_MaxBookedOneMoreOutOfRange()
    {
        var max = Map(null, new Erc20Transfer(Payer, Payee, (BigInteger)UInt128.MaxValue));
        var above = Map(null, new Erc20Transfer(Payer, Payee, (BigInteger)UInt128.MaxValue + 1));

        max.Event.Ignored.ShouldBeNull();
        max.Transfers.Select(t => t.Amount).ShouldBe([UInt128.MaxValue]);
        above.Transfers.ShouldBeEmpty();
        above.Event.Ignored.ShouldBe(EventIgnoredReason.AmountOutOfRange);
    }

    [Fact]
    public void Map_BatchRedeemedAtTheSameTotal_NoMovementNothingBooked()
    {
        Open(5_000);
        Map(new VoucherRedeemedEvent(Channel, Payer, Payee, Token, true, 700, 700));

        var same = Map(new BatchVoucherRedeemedEvent(Channel, 700));

        same.Transfers.ShouldBeEmpty();
        same.Accounts.ShouldBeEmpty();
        same.Event.Ignored.ShouldBe(EventIgnoredReason.NoMovement);
        _channels[Channel.ToString()].PayeeRedeemed.ShouldBe((UInt128)700);
    }

    [Fact]
    public void Map_SameEventAgain_SameIds_OtherEpochOrBlock_OtherIds()
    {
        var first = _mapper.Map(Log(), 0, _channels).Transfers[0].Id;
        var again = _mapper.Map(Log(), 0, _channels).Transfers[0].Id;
        var nextEpoch = _mapper.Map(Log(), 1, _channels).Transfers[0].Id;
        var otherBlock = _mapper.Map(Log() with { BlockHash = "0x" + new string('c', 64) }, 0, _channels).Transfers[0].Id;
        var otherChain = new ChainEventMapper(1, Contract, Token, LedgerAssets.Tgbp).Map(Log(), 0, _channels).Transfers[0].Id;

        again.ShouldBe(first);
        new[] { first, nextEpoch, otherBlock, otherChain }.Distinct().Count().ShouldBe(4);

        static ChainLog Log() => new(
            new ChainEventKey(ChainId, Token.ToLowerHex(), "0x" + new string('d', 64), 3), 9, BlockHash, ChainEventKind.TokenTransfer, null,
            new Erc20Transfer(Payer, Payee, 5));
    }

    [Fact]
    public void ReversalId_Deterministic_DiffersFromTheOriginal()
    {
        ChainTransferIds.Reversal(12345).ShouldBe(ChainTransferIds.Reversal(12345));
        ChainTransferIds.Reversal(12345).ShouldNotBe(ChainTransferIds.Reversal(12346));
        ChainTransferIds.Reversal(12345).ShouldNotBe((UInt128)12345);
    }

    [Fact]
    public void Accounts_PerChainLedgerAndKind_Distinct()
    {
        var ids = new[]
        {
            ChainAccounts.Wallet(ChainId, LedgerAssets.Tgbp, Payer.ToLowerHex()).Id,
            ChainAccounts.Wallet(1, LedgerAssets.Tgbp, Payer.ToLowerHex()).Id,
            ChainAccounts.Wallet(ChainId, LedgerAssets.Eth, Payer.ToLowerHex()).Id,
            ChainAccounts.Owed(ChainId, LedgerAssets.Tgbp, Contract.ToLowerHex(), Payer.ToLowerHex()).Id,
            ChainAccounts.Issuance(ChainId, LedgerAssets.Tgbp, Payer.ToLowerHex()).Id,
        };

        ids.Distinct().Count().ShouldBe(ids.Length);
        ChainAccounts.Wallet(ChainId, LedgerAssets.Tgbp, Payer.ToString()).Id.ShouldBe(ids[0]);
    }
}
