using Settlement.Service.Reconciliation;

namespace Settlement.Service.Tests.Reconciliation;

/// <summary>Builders for the reconciliation tests.</summary>
internal static class Recon
{
    public static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    public static ReconciliationRecord FromBank(string id, string? reference, long amount, TimeSpan at = default, ReconciliationKind kind = ReconciliationKind.Payout, string asset = "GBP") =>
        new(ReconciliationSource.Bank, id, reference, asset, amount, T0 + at, kind);

    public static ReconciliationRecord FromLedger(string id, string? reference, long amount, TimeSpan at = default, ReconciliationKind kind = ReconciliationKind.Payout, string asset = "GBP") =>
        new(ReconciliationSource.Ledger, id, reference, asset, amount, T0 + at, kind);

    public static ReconciliationRecord FromChain(string id, string? reference, long amount, TimeSpan at = default, ReconciliationKind kind = ReconciliationKind.ChannelFunded, string asset = "tGBP") =>
        new(ReconciliationSource.Chain, id, reference, asset, amount, T0 + at, kind);

    public static ReconciliationPairing BankLedger(ReconciliationRules? rules = null) =>
        new("bank-ledger", ReconciliationSource.Bank, ReconciliationSource.Ledger, rules ?? new ReconciliationRules { MaxDateLag = TimeSpan.FromDays(1) });

    public static ReconciliationPairing ChainLedger(ReconciliationRules? rules = null) =>
        new("chain-ledger", ReconciliationSource.Chain, ReconciliationSource.Ledger, rules ?? new ReconciliationRules { MaxDateLag = TimeSpan.FromDays(1) });

    public static ReconciliationResult Run(ReconciliationPairing pairing, ReconciliationRecord[] left, ReconciliationRecord[] right) =>
        Reconciler.Run(pairing, left, right);

    /// <summary>"rule:left ids|right ids" per match, in result order.</summary>
    public static string[] Matches(ReconciliationResult result) =>
        [.. result.Matches.Select(m => $"{m.Rule}:{string.Join(",", m.Left.Select(r => r.Id))}|{string.Join(",", m.Right.Select(r => r.Id))}")];

    /// <summary>"reason:ids" per break, in result order.</summary>
    public static string[] Breaks(ReconciliationResult result) =>
        [.. result.Breaks.Select(b => $"{b.Reason}:{string.Join(",", b.Records.Select(r => r.Id))}")];
}
