using Settlement.Service.Flows;

namespace Settlement.Service.Tests.Flows.Support;

/// <summary>
/// A bank over another (the fake bank) that records every payout asked for with its exact arguments, and can answer a
/// payout start itself (<see cref="AnswerPayout"/>) or fail it (<see cref="PayoutFault"/>, a transient fault).
/// </summary>
internal sealed class RecordingBank(IBankPayments inner) : IBankPayments
{
    private readonly List<BankPayout> _payouts = [];

    /// <summary>A non-null answer is returned instead of the inner bank's.</summary>
    public Func<BankPayout, BankPaymentResult?> AnswerPayout { get; set; } = _ => null;

    /// <summary>Thrown by a payout start while set.</summary>
    public Exception? PayoutFault { get; set; }

    public IReadOnlyList<BankPayout> Payouts
    {
        get
        {
            lock (_payouts)
            {
                return [.. _payouts];
            }
        }
    }

    public Task<BankPaymentResult> StartTopupAsync(BankTopup topup, CancellationToken cancellationToken) => inner.StartTopupAsync(topup, cancellationToken);

    public Task<BankPaymentResult> StartPayoutAsync(BankPayout payout, CancellationToken cancellationToken)
    {
        lock (_payouts)
        {
            _payouts.Add(payout);
        }

        if (PayoutFault is { } fault)
        {
            throw fault;
        }

        return AnswerPayout(payout) is { } answer ? Task.FromResult(answer) : inner.StartPayoutAsync(payout, cancellationToken);
    }

    public Task<BankPaymentResult> GetStatusAsync(Guid operationId, CancellationToken cancellationToken) => inner.GetStatusAsync(operationId, cancellationToken);
}
