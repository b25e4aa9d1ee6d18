using System.Numerics;

namespace Settlement.Cli.Demo;

/// <summary>What the VRP recharge part of the demo did (figures for the summary and its check).</summary>
internal sealed record RechargeDemoResult(
    string ConsentId,
    string IdempotencyKey,
    Guid FlowId,
    string State,
    string? PaymentId,
    string? FundingTransaction,
    int RepeatStatus,
    bool RepeatSameFlow,
    int SweepsCompleted)
{
    /// <summary>The channel's payer deposit before the recharge, base units.</summary>
    public BigInteger DepositBefore { get; init; }

    /// <summary>The channel's payer deposit after it, read from the chain.</summary>
    public BigInteger DepositAfter { get; init; }
}
