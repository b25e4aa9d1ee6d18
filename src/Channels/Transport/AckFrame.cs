using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Transport;

/// <summary>
/// <c>0x83 ACK</c>, payee → client: what happened to one voucher. Every ACK names the cumulative amount stored for the
/// channel, so a client that lost track (a reconnect, a rejected voucher) learns where it stands from any ACK.
/// </summary>
/// <param name="ChannelId">The voucher's channel.</param>
/// <param name="Outcome">Accepted, duplicate or rejected.</param>
/// <param name="RejectCode">Why the voucher was refused; null unless <paramref name="Outcome"/> is rejected.</param>
/// <param name="SubmittedAmount">The cumulative amount of the voucher acknowledged.</param>
/// <param name="StoredAmount">The newest cumulative amount stored for the channel (0 if none or unknown).</param>
public sealed record AckFrame(
    ChannelId ChannelId,
    AckOutcome Outcome,
    VoucherRejectCode? RejectCode,
    BigInteger SubmittedAmount,
    BigInteger StoredAmount) : PayeeFrame
{
    /// <inheritdoc />
    public override PayeeFrameType Type => PayeeFrameType.Ack;

    /// <summary>The ACK of a voucher the payee has decided on.</summary>
    /// <param name="channelId">The voucher's channel.</param>
    /// <param name="submittedAmount">The voucher's cumulative amount.</param>
    /// <param name="outcome">What the payee did with it.</param>
    /// <exception cref="ArgumentException">An outcome type this version does not know.</exception>
    public static AckFrame FromOutcome(ChannelId channelId, BigInteger submittedAmount, VoucherOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome switch
        {
            VoucherAccepted accepted => new AckFrame(channelId, AckOutcome.Accepted, null, submittedAmount, accepted.Cumulative),
            VoucherDuplicate duplicate => new AckFrame(channelId, AckOutcome.Duplicate, null, submittedAmount, duplicate.Cumulative),
            VoucherRejected rejected => new AckFrame(channelId, AckOutcome.Rejected, rejected.Code, submittedAmount, rejected.Stored),
            _ => throw new ArgumentException($"Unknown voucher outcome {outcome.GetType().Name}.", nameof(outcome)),
        };
    }
}
