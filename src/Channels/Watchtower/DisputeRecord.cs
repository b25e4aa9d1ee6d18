using System.Numerics;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Watchtower;

/// <summary>
/// A transaction the watchtower signed for a channel, stored before the node sees it, so a crash between sending and
/// mining neither loses it nor leads to a second one: after a restart the same bytes are re-sent if the node lost them.
/// </summary>
/// <param name="ChannelId">The channel.</param>
/// <param name="Kind">Redeem or settle.</param>
/// <param name="Amount">The voucher amount redeemed (0 for a settle).</param>
/// <param name="TransactionHash">The signed transaction's hash.</param>
/// <param name="RawTransaction">The signed transaction's bytes (to re-send identically).</param>
/// <param name="Attempts">How many transactions were signed for this channel and kind so far.</param>
/// <param name="SubmittedAt">When the newest one was signed.</param>
public sealed record DisputeRecord(
    ChannelId ChannelId, DisputeKind Kind, BigInteger Amount, ReadOnlyMemory<byte> TransactionHash, ReadOnlyMemory<byte> RawTransaction, int Attempts, DateTimeOffset SubmittedAt);
