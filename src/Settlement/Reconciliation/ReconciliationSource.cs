namespace Settlement.Service.Reconciliation;

/// <summary>Where a <see cref="ReconciliationRecord"/> comes from.</summary>
public enum ReconciliationSource
{
    /// <summary>A bank payment record (PIS payment, VRP payment, a return), amounts in pence.</summary>
    Bank = 1,

    /// <summary>A settlement ledger transfer.</summary>
    Ledger = 2,

    /// <summary>An on-chain event (channel funded, settled, a reorg's reversal), keyed "txhash:logIndex".</summary>
    Chain = 3,
}
