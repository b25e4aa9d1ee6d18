using System.Numerics;

namespace Settlement.Cli.Demo;

/// <summary>What the demo's watchtower dispute step saw (amounts in wei, read from the chain).</summary>
internal sealed record WatchtowerDemoResult(
    string ChannelId,
    BigInteger StaleRedeemed,
    BigInteger Held,
    int MissedBlocks,
    ulong BlocksCaughtUp,
    ulong RedeemTimestamp,
    ulong Deadline,
    BigInteger MerchantReceived,
    BigInteger UserReturned,
    BigInteger Escrow,
    int Alerts);
