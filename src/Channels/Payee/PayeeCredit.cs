using System.Numerics;

namespace Settlement.Channels.Payee;

/// <summary>What a payer has paid in a channel and how much more it can pay, for the merchant's code.</summary>
/// <param name="Key">The channel.</param>
/// <param name="Paid">The newest cumulative amount stored (what the payee can redeem).</param>
/// <param name="Remaining">How much more the payer can pay: confirmed deposit minus the larger of paid and redeemed.</param>
/// <param name="Deposit">The payer's confirmed deposit.</param>
/// <param name="IsOpen">False once the channel is closing or settled: no more credit is extended.</param>
public sealed record PayeeCredit(ChannelKey Key, BigInteger Paid, BigInteger Remaining, BigInteger Deposit, bool IsOpen);
