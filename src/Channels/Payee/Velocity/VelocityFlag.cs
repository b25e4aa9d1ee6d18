using System.Numerics;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Payee.Velocity;

/// <summary>A fraud signal: a payer or channel went over a velocity rule's limit.</summary>
/// <param name="Key">The channel the voucher was for.</param>
/// <param name="Payer">The channel's payer.</param>
/// <param name="Rule">Which rule.</param>
/// <param name="Observed">What was measured in the rule's window (payments, or value in base units).</param>
/// <param name="Threshold">The limit exceeded.</param>
/// <param name="Refused">True if the voucher was also refused (the refuse limit was exceeded).</param>
/// <param name="RaisedAt">When.</param>
public sealed record VelocityFlag(
    ChannelKey Key, Address Payer, VelocityRule Rule, BigInteger Observed, BigInteger Threshold, bool Refused, DateTimeOffset RaisedAt);
