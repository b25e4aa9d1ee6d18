namespace Settlement.Service.Reconciliation.Sources;

/// <summary>The bank operations reconciliation reads (every one, finished or not; the reader keeps the completed ones).</summary>
public interface IBankOperationSource
{
    /// <summary>Every stored bank operation, in any order.</summary>
    Task<IReadOnlyList<BankOperation>> ListAsync(CancellationToken cancellationToken = default);
}
