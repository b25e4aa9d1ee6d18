using Settlement.Service.Reconciliation.Sources;

namespace Settlement.Service.IntegrationTests.Reconciliation;

/// <summary>A bank source that returns the operations it was given, as given (duplicates and order included).</summary>
internal sealed class ListedBankOperations(IReadOnlyList<BankOperation> operations) : IBankOperationSource
{
    public Task<IReadOnlyList<BankOperation>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult(operations);
}
