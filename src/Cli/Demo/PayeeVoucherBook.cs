using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Cli.Demo;

/// <summary>
/// The merchant's side of one channel in the demo: checks each voucher as the contract would (docs/protocol.md,
/// "Client rules": the signature recovers to the payer in this channel's domain, the cumulative amount is strictly
/// greater than the last accepted and at most the on-chain deposit) and keeps only the newest one. In memory only:
/// the durable payee service (store before acknowledging) is not built yet.
/// </summary>
internal sealed class PayeeVoucherBook
{
    private readonly ChannelDomain _domain;
    private readonly ChannelId _channelId;
    private readonly Address _payer;
    private readonly BigInteger _deposit;

    public PayeeVoucherBook(ChannelDomain domain, ChannelId channelId, Address payer, BigInteger confirmedDeposit)
    {
        _domain = domain;
        _channelId = channelId;
        _payer = payer;
        _deposit = confirmedDeposit;
    }

    /// <summary>The newest accepted voucher, or null.</summary>
    public SignedVoucher? Newest { get; private set; }

    /// <summary>Vouchers accepted so far.</summary>
    public int Accepted { get; private set; }

    /// <summary>
    /// Checks a voucher received as wire data (channel id, amount, 65-byte r‖s‖v signature); null when accepted,
    /// else why it was refused.
    /// </summary>
    public string? TryAccept(ChannelId channelId, BigInteger cumulativeAmount, ReadOnlySpan<byte> signatureRsv)
    {
        if (channelId != _channelId)
        {
            return "voucher for another channel";
        }

        if (!EcdsaSignature.TryParseRsv(signatureRsv, out var signature))
        {
            return "malformed signature";
        }

        if (cumulativeAmount.Sign < 0)
        {
            return "negative amount";
        }

        var voucher = new Voucher(channelId, cumulativeAmount);
        if (!voucher.TryRecoverSigner(_domain, signature, out var signer) || signer != _payer)
        {
            return "not signed by the payer";
        }

        var last = Newest?.Voucher.CumulativeAmount ?? BigInteger.Zero;
        if (cumulativeAmount <= last)
        {
            return $"amount {cumulativeAmount} is not above the last accepted {last}";
        }

        if (cumulativeAmount > _deposit)
        {
            return $"amount {cumulativeAmount} exceeds the deposit {_deposit}";
        }

        Newest = new SignedVoucher(voucher, signature);
        Accepted++;
        return null;
    }
}
