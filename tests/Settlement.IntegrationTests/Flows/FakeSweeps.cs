using Settlement.Service.Flows;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>
/// A bank that keeps one sweeping payment per operation id: a repeated start with the same parameters returns the same
/// payment (counted, never a second payment); other parameters answer Conflict. New payments take <see cref="Status"/>
/// (and <see cref="Refusal"/>); <see cref="Set"/> moves one.
/// </summary>
internal sealed class FakeSweeps : IBankSweeps
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Sweep> _sweeps = [];

    public BankPaymentStatus Status { get; set; } = BankPaymentStatus.Completed;

    public BankSweepRefusal? Refusal { get; set; }

    public int StartCalls { get; private set; }

    public int StatusCalls { get; private set; }

    public IReadOnlyList<Sweep> Sweeps
    {
        get
        {
            lock (_gate)
            {
                return [.. _sweeps.Values];
            }
        }
    }

    public Task<BankSweepResult> StartSweepAsync(BankSweep sweep, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            StartCalls++;
            if (_sweeps.TryGetValue(sweep.OperationId, out var existing))
            {
                return Task.FromResult(existing.Request == sweep
                    ? Result(existing)
                    : new BankSweepResult(sweep.OperationId, BankPaymentStatus.Conflict, Detail: "other parameters"));
            }

            var created = new Sweep(sweep, Status, Refusal);
            _sweeps[sweep.OperationId] = created;
            return Task.FromResult(Result(created));
        }
    }

    public Task<BankSweepResult> GetSweepStatusAsync(Guid operationId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            StatusCalls++;
            return _sweeps.TryGetValue(operationId, out var s) ? Task.FromResult(Result(s)) : throw new KeyNotFoundException($"no sweep {operationId}");
        }
    }

    public void Set(Guid operationId, BankPaymentStatus status, BankSweepRefusal? refusal = null)
    {
        lock (_gate)
        {
            _sweeps[operationId] = _sweeps[operationId] with { Status = status, Refusal = refusal };
        }
    }

    private static BankSweepResult Result(Sweep s) =>
        new(s.Request.OperationId, s.Status, s.Refusal, s.Refusal is { } r ? "refused by the bank: " + r : null);

    public sealed record Sweep(BankSweep Request, BankPaymentStatus Status, BankSweepRefusal? Refusal);
}
