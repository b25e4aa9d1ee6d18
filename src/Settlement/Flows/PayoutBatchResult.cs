namespace Settlement.Service.Flows;

/// <summary>The result of <see cref="SettlementFlows.RunPayoutBatchAsync(CancellationToken)"/>.</summary>
/// <param name="BatchId">The batch (derived from the slot).</param>
/// <param name="SlotStart">The start of the schedule slot.</param>
/// <param name="Items">One line per merchant asked for (every configured merchant by default), in that order.</param>
public sealed record PayoutBatchResult(Guid BatchId, DateTimeOffset SlotStart, IReadOnlyList<PayoutBatchItem> Items);
