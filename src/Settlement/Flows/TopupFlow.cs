namespace Settlement.Service.Flows;

/// <summary>
/// A persisted top-up. What each state needs is checked when the flow is read (<see cref="Validate"/>): a funded flow
/// has its funding transaction, a refused one its problem, a returned one its return.
/// </summary>
public sealed record TopupFlow
{
    /// <summary>The flow id (= <see cref="TopupRequest.FlowId"/>).</summary>
    public required Guid Id { get; init; }

    /// <summary>What was asked.</summary>
    public required TopupRequest Request { get; init; }

    /// <summary>Where it stands.</summary>
    public required TopupFlowState State { get; init; }

    /// <summary>The stored version (optimistic concurrency).</summary>
    public required long Version { get; init; }

    /// <summary>Creation time.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Last update time.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Where the customer authorises the bank payment, while the bank waits for that.</summary>
    public Uri? AuthorizationUrl { get; init; }

    /// <summary>The funding transaction; set from <see cref="TopupFlowState.AwaitingConfirmation"/> on.</summary>
    public ChainStep? Funding { get; init; }

    /// <summary>Why it stopped short (Rejected, FundingFailed, Refused, ReturnedAfterFunding).</summary>
    public FlowProblem? Problem { get; init; }

    /// <summary>The bank's return of the top-up, once recorded.</summary>
    public BankReturn? Return { get; init; }

    /// <summary>Top-up, or recharge when the bank step is a sweep under <see cref="TopupRequest.SweepingConsentId"/>.</summary>
    public FlowKind Kind => Request.SweepingConsentId is null ? FlowKind.Topup : FlowKind.Recharge;

    /// <summary>The bank operation id of the top-up payment (a PIS payment, or for a recharge the sweeping VRP payment).</summary>
    public Guid BankOperationId => FlowIds.BankOperation(Id, Kind == FlowKind.Recharge ? TopupSteps.BankSweep : TopupSteps.BankTopup);

    /// <summary>True when no step is left.</summary>
    public bool IsFinished => State switch
    {
        TopupFlowState.Rejected or TopupFlowState.Reversed or TopupFlowState.ReturnedAfterFunding or TopupFlowState.Refused => true,
        TopupFlowState.Funded or TopupFlowState.FundingFailed => Return is null,
        _ => false,
    };

    /// <summary>True when the flow ended short of funding the channel or was returned (reversed or not): reported to an operator.</summary>
    public bool NeedsAttention => State is TopupFlowState.FundingFailed or TopupFlowState.Reversed or TopupFlowState.ReturnedAfterFunding or TopupFlowState.Refused;

    /// <summary>The funding transaction, which this state must have.</summary>
    /// <exception cref="InvalidDataException">The stored flow lacks it.</exception>
    internal ChainStep RequiredFunding => Funding ?? throw new InvalidDataException($"Top-up {Id:N} in state {State} has no funding transaction.");

    /// <summary>Throws when the data does not fit the state (a corrupt or hand-edited row).</summary>
    /// <exception cref="InvalidDataException">What is missing.</exception>
    internal TopupFlow Validate(FlowKind? storedKind = null)
    {
        if (Request.FlowId != Id)
        {
            throw new InvalidDataException($"Top-up {Id:N} stores the request of flow {Request.FlowId:N}.");
        }

        if (storedKind is { } kind && kind != Kind)
        {
            throw new InvalidDataException($"Flow {Id:N} is stored as a {kind} but its request is a {Kind}.");
        }

        var needsFunding = State is TopupFlowState.AwaitingConfirmation or TopupFlowState.Funded;
        var needsProblem = State is TopupFlowState.Rejected or TopupFlowState.FundingFailed or TopupFlowState.Refused or TopupFlowState.ReturnedAfterFunding;
        var needsReturn = State is TopupFlowState.Reversed or TopupFlowState.ReturnedAfterFunding;
        if ((needsFunding && Funding is null) || (needsProblem && Problem is null) || (needsReturn && Return is null))
        {
            throw new InvalidDataException($"Top-up {Id:N} in state {State} lacks the data of that state.");
        }

        return this;
    }
}
