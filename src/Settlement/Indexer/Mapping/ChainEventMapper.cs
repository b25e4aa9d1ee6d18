using System.Numerics;
using Settlement.Channels.Contracts.Events;
using Settlement.Ethereum.Addresses;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Indexer.Mapping;

/// <summary>
/// The one place that says which ledger transfers a chain event books (docs/indexer.md, "What the indexer books").
/// All movements are in the token's ledger, between deterministic accounts (<see cref="ChainAccounts"/>):
/// <list type="bullet">
/// <item><c>ChannelOpened</c>, <c>ChannelToppedUp</c>: funder's wallet → channel escrow (the amount received).</item>
/// <item><c>VoucherRedeemed</c>: channel escrow → payee's wallet (payer → payee) or payer's wallet (payee → payer).</item>
/// <item><c>BatchVoucherRedeemed</c>: channel escrow → payee's wallet, the increase of the payee's redeemed total.</item>
/// <item><c>ChannelSettled</c>: channel escrow → payer's wallet (refund) and → payee's wallet.</item>
/// <item><c>PayoutDeferred</c>: recipient's wallet → its deferred-payout account (the push failed; the contract kept it).</item>
/// <item><c>OwedWithdrawn</c>: owner's deferred-payout account → the receiving wallet.</item>
/// <item>Token <c>Transfer</c>: mint = issuance → wallet, burn = wallet → issuance, otherwise wallet → wallet; a
/// transfer to or from the channel contract is booked by the channel event of the same transaction instead.</item>
/// <item><c>ChannelClosing</c> moves nothing.</item>
/// </list>
/// So every wallet account equals the address's on-chain token balance (from the start block on), and Σ escrow +
/// Σ deferred payouts equals the contract's token balance. Extend this class (and <see cref="ChainTransferCode"/>)
/// when a flow needs more.
/// </summary>
internal sealed class ChainEventMapper
{
    private readonly ulong _chainId;
    private readonly Address _contract;
    private readonly Address _token;
    private readonly uint _ledger;
    private readonly string _contractHex;
    private readonly string _tokenHex;

    public ChainEventMapper(ulong chainId, Address contract, Address token, uint tokenLedger)
    {
        _chainId = chainId;
        _contract = contract;
        _token = token;
        _ledger = tokenLedger;
        _contractHex = contract.ToLowerHex();
        _tokenHex = token.ToLowerHex();
    }

    /// <summary>
    /// Books <paramref name="log"/> in epoch <paramref name="epoch"/>. <paramref name="channels"/> holds the channels
    /// known so far (by id); this adds the channel a <c>ChannelOpened</c> opens and advances a payee's redeemed total.
    /// </summary>
    public EventBooking Map(ChainLog log, long epoch, IDictionary<string, IndexedChannel> channels)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(channels);
        var legs = new Legs(this, log, epoch);
        return log.Channel switch
        {
            ChannelOpenedEvent e => Opened(legs, e, channels),
            ChannelToppedUpEvent e => InToken(legs, e.Token, e.ChannelId.ToString(), () =>
                legs.Move(Wallet(e.Funder), Escrow(e.ChannelId.ToString()), e.Amount, ChainTransferCode.ChannelToppedUp)),
            VoucherRedeemedEvent e => Redeemed(legs, e, channels),
            BatchVoucherRedeemedEvent e => BatchRedeemed(legs, e, channels),
            ChannelClosingEvent e => legs.Done(EventIgnoredReason.NoMovement, e.ChannelId.ToString()),
            BatchItemSkippedEvent e => legs.Done(EventIgnoredReason.NoMovement, e.ChannelId.ToString()),
            ChannelSettledEvent e => InToken(legs, e.Token, e.ChannelId.ToString(), () =>
            {
                var escrow = Escrow(e.ChannelId.ToString());
                legs.Move(escrow, Wallet(e.Payer), e.ToPayer, ChainTransferCode.SettledToPayer);
                legs.Move(escrow, Wallet(e.Payee), e.ToPayee, ChainTransferCode.SettledToPayee);
            }),
            PayoutDeferredEvent e => InToken(legs, e.Token, e.ChannelId.ToString(), () =>
                legs.Move(Wallet(e.To), Owed(e.To), e.Amount, ChainTransferCode.PayoutDeferred)),
            OwedWithdrawnEvent e => InToken(legs, e.Token, null, () =>
                legs.Move(Owed(e.Owner), Wallet(e.To), e.Amount, ChainTransferCode.OwedWithdrawn)),
            null when log.Token is { } t => TokenTransfer(legs, t),
            _ => legs.Done(EventIgnoredReason.NoMovement, null),
        };
    }

    private EventBooking Opened(Legs legs, ChannelOpenedEvent e, IDictionary<string, IndexedChannel> channels)
    {
        var id = e.ChannelId.ToString();
        var channel = new IndexedChannel(id, e.Channel.Payer.ToLowerHex(), e.Channel.Payee.ToLowerHex(), e.Channel.Token.ToLowerHex(), legs.Log.BlockNumber);
        channels[id] = channel;
        legs.Opened = channel;
        return InToken(legs, e.Channel.Token, id, () => legs.Move(Wallet(e.Funder), Escrow(id), e.Deposit, ChainTransferCode.ChannelFunded));
    }

    private EventBooking Redeemed(Legs legs, VoucherRedeemedEvent e, IDictionary<string, IndexedChannel> channels)
    {
        var id = e.ChannelId.ToString();
        if (e.PayerToPayee)
        {
            if (!ToUInt128(e.CumulativeAmount, out var total))
            {
                return legs.Done(EventIgnoredReason.AmountOutOfRange, id);
            }

            legs.PayeeCumulative = total;
            if (channels.TryGetValue(id, out var known))
            {
                channels[id] = known with { PayeeRedeemed = total };
            }
        }

        return InToken(legs, e.Token, id, () =>
            legs.Move(Escrow(id), Wallet(e.PayerToPayee ? e.Payee : e.Payer), e.Amount, ChainTransferCode.VoucherRedeemed));
    }

    private EventBooking BatchRedeemed(Legs legs, BatchVoucherRedeemedEvent e, IDictionary<string, IndexedChannel> channels)
    {
        var id = e.ChannelId.ToString();
        if (!ToUInt128(e.CumulativeAmount, out var total))
        {
            return legs.Done(EventIgnoredReason.AmountOutOfRange, id);
        }

        if (!channels.TryGetValue(id, out var channel))
        {
            legs.PayeeCumulative = total;
            return legs.Done(EventIgnoredReason.UnknownChannel, id);
        }

        legs.PayeeCumulative = total;
        channels[id] = channel with { PayeeRedeemed = total };
        if (total <= channel.PayeeRedeemed)
        {
            return legs.Done(EventIgnoredReason.NoMovement, id);
        }

        var increase = total - channel.PayeeRedeemed;
        return InToken(legs, Address.Parse(channel.Token), id, () =>
            legs.Move(Escrow(id), Wallet(Address.Parse(channel.Payee)), (BigInteger)increase, ChainTransferCode.BatchVoucherRedeemed));
    }

    private EventBooking TokenTransfer(Legs legs, Erc20Transfer t)
    {
        if (t.From == _contract || t.To == _contract)
        {
            return legs.Done(EventIgnoredReason.CoveredByChannelEvent, null);
        }

        var issuance = ChainAccounts.Issuance(_chainId, _ledger, _tokenHex);
        if (t.From == Address.Zero && t.To == Address.Zero)
        {
            return legs.Done(EventIgnoredReason.NoMovement, null);
        }

        if (t.From == Address.Zero)
        {
            legs.Move(issuance, Wallet(t.To), t.Value, ChainTransferCode.TokenMinted);
        }
        else if (t.To == Address.Zero)
        {
            legs.Move(Wallet(t.From), issuance, t.Value, ChainTransferCode.TokenBurned);
        }
        else if (t.From != t.To)
        {
            legs.Move(Wallet(t.From), Wallet(t.To), t.Value, ChainTransferCode.TokenTransferred);
        }

        return legs.Done(null, null);
    }

    private EventBooking InToken(Legs legs, Address token, string? channelId, Action book)
    {
        if (token != _token)
        {
            return legs.Done(EventIgnoredReason.UnmappedToken, channelId);
        }

        book();
        return legs.Done(null, channelId);
    }

    private Account Wallet(Address address) => ChainAccounts.Wallet(_chainId, _ledger, address.ToLowerHex());

    private Account Escrow(string channelId) => ChainAccounts.Escrow(_chainId, _ledger, _contractHex, channelId);

    private Account Owed(Address owner) => ChainAccounts.Owed(_chainId, _ledger, _contractHex, owner.ToLowerHex());

    private static bool ToUInt128(BigInteger value, out UInt128 result)
    {
        if (value.Sign < 0 || value > (BigInteger)UInt128.MaxValue)
        {
            result = default;
            return false;
        }

        result = (UInt128)value;
        return true;
    }

    /// <summary>Collects one event's transfers, numbering the legs.</summary>
    private sealed class Legs(ChainEventMapper mapper, ChainLog log, long epoch)
    {
        private readonly List<Transfer> _transfers = [];
        private readonly List<Account> _accounts = [];
        private bool _outOfRange;

        public ChainLog Log => log;

        public IndexedChannel? Opened { get; set; }

        public UInt128? PayeeCumulative { get; set; }

        /// <summary>Books <paramref name="amount"/> from <paramref name="debit"/> to <paramref name="credit"/>; zero amounts book nothing.</summary>
        public void Move(Account debit, Account credit, BigInteger amount, ChainTransferCode code)
        {
            if (amount.IsZero)
            {
                return;
            }

            if (!ToUInt128(amount, out var value))
            {
                _outOfRange = true;
                return;
            }

            var id = ChainTransferIds.ForEvent(
                mapper._chainId, log.Key.Contract, log.Key.TransactionHash, log.Key.LogIndex, log.BlockHash, epoch, _transfers.Count);
            _transfers.Add(new Transfer(id, debit.Id, credit.Id, value, mapper._ledger, (ushort)code, UserData: log.BlockNumber));
            _accounts.Add(debit);
            _accounts.Add(credit);
        }

        public EventBooking Done(EventIgnoredReason? ignored, string? channelId)
        {
            if (_outOfRange)
            {
                _transfers.Clear();
                _accounts.Clear();
                ignored = EventIgnoredReason.AmountOutOfRange;
            }
            else if (ignored is null && _transfers.Count == 0)
            {
                ignored = EventIgnoredReason.NoMovement;
            }

            var booked = new BookedEvent(
                log.Key, log.BlockNumber, log.BlockHash, log.Kind, _transfers.Select(t => t.Id).ToArray(), ignored, channelId, PayeeCumulative);
            return new EventBooking(booked, _transfers, _accounts, Opened);
        }
    }
}
