using System.Numerics;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Payee.Storage;

/// <summary>A verified voucher as the payee keeps it: enough to redeem it on chain.</summary>
/// <param name="Key">The channel.</param>
/// <param name="Signer">Who signed it (the channel's payer).</param>
/// <param name="Cumulative">The cumulative amount, 0 &lt; amount &lt; 2^96.</param>
/// <param name="Signature">65 bytes r‖s‖v with v = 27/28.</param>
/// <param name="ReceivedAt">When the payee accepted it.</param>
public sealed record StoredVoucher(ChannelKey Key, Address Signer, BigInteger Cumulative, byte[] Signature, DateTimeOffset ReceivedAt);
