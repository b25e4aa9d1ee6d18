namespace Settlement.Service.Flows;

/// <summary>
/// Sweeping VRP payments (OBIE VRP v4.0) the recharge flow makes under a consent the user authorised once. Every call
/// is idempotent per operation id: a repeat never pays twice and answers the same payment. Transient failures (bank
/// down) throw; the flow stays in its state and is retried. A refusal (a limit, a revoked or expired consent) is data.
/// </summary>
public interface IBankSweeps
{
    /// <summary>Submits (or, for a known operation id, returns) a payment under the consent and reports its status.</summary>
    Task<BankSweepResult> StartSweepAsync(BankSweep sweep, CancellationToken cancellationToken);

    /// <summary>Polls the payment started under <paramref name="operationId"/> once and reports its status.</summary>
    /// <exception cref="KeyNotFoundException">No payment with this operation id was started.</exception>
    Task<BankSweepResult> GetSweepStatusAsync(Guid operationId, CancellationToken cancellationToken);
}
