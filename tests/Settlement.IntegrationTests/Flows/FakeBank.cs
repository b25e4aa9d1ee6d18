using Settlement.OpenBanking.Pis;
using Settlement.Service.Flows;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>
/// A bank that keeps one payment per operation id: a repeated start with the same parameters returns the same payment
/// (counted, never a second payment); other parameters answer Conflict. New payments take <see cref="TopupStatus"/> /
/// <see cref="PayoutStatus"/>; <see cref="Set"/> moves one.
/// </summary>
internal sealed class FakeBank : IBankPayments
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Payment> _payments = [];

    public BankPaymentStatus TopupStatus { get; set; } = BankPaymentStatus.Completed;

    public BankPaymentStatus PayoutStatus { get; set; } = BankPaymentStatus.Completed;

    public int StartCalls { get; private set; }

    public IReadOnlyList<Payment> Payments
    {
        get
        {
            lock (_gate)
            {
                return [.. _payments.Values];
            }
        }
    }

    public Task<BankPaymentResult> StartTopupAsync(BankTopup topup, CancellationToken cancellationToken) =>
        Task.FromResult(Start(new Payment(topup.OperationId, "topup", topup.AmountPence, null, TopupStatus)));

    public Task<BankPaymentResult> StartPayoutAsync(BankPayout payout, CancellationToken cancellationToken) =>
        Task.FromResult(Start(new Payment(payout.OperationId, "payout", payout.AmountPence, payout.Creditor, PayoutStatus)));

    public Task<BankPaymentResult> GetStatusAsync(Guid operationId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _payments.TryGetValue(operationId, out var p)
                ? Task.FromResult(new BankPaymentResult(operationId, p.Status, Detail: p.Status == BankPaymentStatus.Rejected ? "RJCT by the bank" : null))
                : throw new KeyNotFoundException($"no payment {operationId}");
        }
    }

    public void Set(Guid operationId, BankPaymentStatus status)
    {
        lock (_gate)
        {
            _payments[operationId] = _payments[operationId] with { Status = status };
        }
    }

    private BankPaymentResult Start(Payment payment)
    {
        lock (_gate)
        {
            StartCalls++;
            if (_payments.TryGetValue(payment.OperationId, out var existing))
            {
                return existing.Kind == payment.Kind && existing.AmountPence == payment.AmountPence && existing.Creditor == payment.Creditor
                    ? new BankPaymentResult(existing.OperationId, existing.Status)
                    : new BankPaymentResult(existing.OperationId, BankPaymentStatus.Conflict, Detail: "other parameters");
            }

            _payments[payment.OperationId] = payment;
            return new BankPaymentResult(payment.OperationId, payment.Status, payment.Status == BankPaymentStatus.Pending ? new Uri("https://127.0.0.1/authorize") : null);
        }
    }

    public sealed record Payment(Guid OperationId, string Kind, long AmountPence, AccountIdentification? Creditor, BankPaymentStatus Status);
}
