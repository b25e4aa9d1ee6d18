using Settlement.OpenBanking.Transfers;

namespace Settlement.Service.Reconciliation.Sources;

/// <summary>The bank operations of the open-banking connector's <see cref="TransferService"/> (its SQLite transfer store).</summary>
public sealed class TransferServiceBankOperations : IBankOperationSource
{
    private readonly TransferService _transfers;

    /// <summary>Reads through <paramref name="transfers"/>.</summary>
    public TransferServiceBankOperations(TransferService transfers)
    {
        ArgumentNullException.ThrowIfNull(transfers);
        _transfers = transfers;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BankOperation>> ListAsync(CancellationToken cancellationToken = default) =>
        (await _transfers.ListAsync(includeFinished: true, cancellationToken).ConfigureAwait(false)).Select(BankOperation.From).ToList();
}
