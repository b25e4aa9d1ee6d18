using Settlement.Service.Flows;

namespace Settlement.Service.Tests.Flows;

/// <summary>A bank that answers what the test scripted (any status, any detail, also none) and records every call.</summary>
internal sealed class ScriptedBank : IBankPayments
{
    /// <summary>The answer to a top-up start (the operation id is the request's).</summary>
    public BankPaymentResult Start { get; set; } = new(Guid.Empty, BankPaymentStatus.Pending);

    /// <summary>The answer to a status read (the operation id is the one asked for).</summary>
    public BankPaymentResult Status { get; set; } = new(Guid.Empty, BankPaymentStatus.Pending);

    public List<BankTopup> Topups { get; } = [];

    public List<Guid> StatusReads { get; } = [];

    public Task<BankPaymentResult> StartTopupAsync(BankTopup topup, CancellationToken cancellationToken)
    {
        Topups.Add(topup);
        return Task.FromResult(Start with { OperationId = topup.OperationId });
    }

    public Task<BankPaymentResult> StartPayoutAsync(BankPayout payout, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<BankPaymentResult> GetStatusAsync(Guid operationId, CancellationToken cancellationToken)
    {
        StatusReads.Add(operationId);
        return Task.FromResult(Status with { OperationId = operationId });
    }
}

/// <summary>Sweeps that answer what the test scripted and record every sweep started.</summary>
internal sealed class ScriptedSweeps : IBankSweeps
{
    public BankSweepResult Start { get; set; } = new(Guid.Empty, BankPaymentStatus.Pending);

    public BankSweepResult Status { get; set; } = new(Guid.Empty, BankPaymentStatus.Pending);

    public List<BankSweep> Started { get; } = [];

    public Task<BankSweepResult> StartSweepAsync(BankSweep sweep, CancellationToken cancellationToken)
    {
        Started.Add(sweep);
        return Task.FromResult(Start with { OperationId = sweep.OperationId });
    }

    public Task<BankSweepResult> GetSweepStatusAsync(Guid operationId, CancellationToken cancellationToken) =>
        Task.FromResult(Status with { OperationId = operationId });
}

/// <summary>Chain actions that answer <see cref="Result"/> to every call and record the calls.</summary>
internal sealed class ScriptedChain : IChainActions
{
    public ChainActionResult Result { get; set; } = new(ChainActionStatus.Mined, "0x" + new string('a', 64), 7, null, null);

    public List<string> Calls { get; } = [];

    public Task<ChainActionResult> FundNewChannelAsync(string stepKey, string payer, string payee, UInt128 amount, CancellationToken cancellationToken)
    {
        Calls.Add($"open {stepKey} {payer}->{payee} {amount}");
        return Task.FromResult(Result);
    }

    public Task<ChainActionResult> TopUpChannelAsync(string stepKey, string channelId, UInt128 amount, CancellationToken cancellationToken)
    {
        Calls.Add($"topup {stepKey} {channelId} {amount}");
        return Task.FromResult(Result);
    }

    public Task<ChainActionResult> BurnFromAsync(string stepKey, string holder, UInt128 amount, CancellationToken cancellationToken) => throw new NotSupportedException();
}
