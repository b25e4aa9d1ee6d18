using System.Numerics;

namespace Settlement.Channels.Watchtower;

/// <summary>Our newest signed transaction for a channel, with where the node says it is.</summary>
/// <param name="Kind">Redeem or settle.</param>
/// <param name="Amount">The redeemed amount (0 for a settle).</param>
/// <param name="Status">Its status now.</param>
public sealed record PendingTransaction(DisputeKind Kind, BigInteger Amount, TowerTransactionStatus Status);
