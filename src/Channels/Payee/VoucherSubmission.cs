using System.Numerics;

namespace Settlement.Channels.Payee;

/// <summary>
/// A voucher as received, not yet checked: the channel, the cumulative amount and the signature bytes exactly as
/// they arrived (65 bytes r‖s‖v expected; anything else is refused by the verifier, never thrown on).
/// </summary>
/// <param name="Key">The channel (chain id and contract from the connection or the URL, id from the frame).</param>
/// <param name="CumulativeAmount">The cumulative amount claimed; any value, including negative or huge.</param>
/// <param name="Signature">The signature bytes: r‖s‖v, v in {0, 1, 27, 28}.</param>
public readonly record struct VoucherSubmission(ChannelKey Key, BigInteger CumulativeAmount, ReadOnlyMemory<byte> Signature);
