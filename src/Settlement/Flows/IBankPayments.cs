namespace Settlement.Service.Flows;

/// <summary>
/// The bank payments the flows make (PIS). Every call is idempotent per operation id: a repeat never pays twice and
/// answers the same payment. Transient failures (bank down) throw; the flow stays in its state and is retried.
/// </summary>
public interface IBankPayments
{
    /// <summary>Starts (or, for a known operation id, returns) a top-up and advances it as far as it goes.</summary>
    Task<BankPaymentResult> StartTopupAsync(BankTopup topup, CancellationToken cancellationToken);

    /// <summary>Starts (or returns) a payout and advances it as far as it goes.</summary>
    Task<BankPaymentResult> StartPayoutAsync(BankPayout payout, CancellationToken cancellationToken);

    /// <summary>Polls the payment started under <paramref name="operationId"/> once and reports its status.</summary>
    /// <exception cref="KeyNotFoundException">No payment with this operation id was started.</exception>
    Task<BankPaymentResult> GetStatusAsync(Guid operationId, CancellationToken cancellationToken);
}
