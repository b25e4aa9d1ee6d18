using System.Numerics;
using Settlement.Channels.Payee;

namespace Settlement.Channels.Payer.Metering;

/// <summary>A channel's remaining deposit fell below the meter's threshold.</summary>
/// <param name="Key">The channel.</param>
/// <param name="Remaining">Deposit − signed, base units.</param>
/// <param name="Threshold">The configured threshold.</param>
public sealed record LowBalance(ChannelKey Key, BigInteger Remaining, BigInteger Threshold);
