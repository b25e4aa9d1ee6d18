namespace Settlement.Service.Flows;

/// <summary>
/// A persisted merchant payout. What each state needs is checked when the flow is read (<see cref="Validate"/>): a burn
/// waiting for confirmation has its transaction, a refused one its problem, a returned one its return.
/// </summary>
public sealed record PayoutFlow
{
    /// <summary>The flow id (<see cref="FlowIds.PayoutFlow"/> of the batch and merchant).</summary>
    public required Guid Id { get; init; }

    /// <summary>What is paid.</summary>
    public required PayoutOrder Order { get; init; }

    /// <summary>Where it stands.</summary>
    public required PayoutFlowState State { get; init; }

    /// <summary>The stored version (optimistic concurrency).</summary>
    public required long Version { get; init; }

    /// <summary>Creation time.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Last update time.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The burn transaction; set from <see cref="PayoutFlowState.BurnSubmitted"/> on.</summary>
    public ChainStep? Burn { get; init; }

    /// <summary>Why it stopped short (BurnFailed, BankRejected, Refused).</summary>
    public FlowProblem? Problem { get; init; }

    /// <summary>The bank's return of the payout, once recorded.</summary>
    public BankReturn? Return { get; init; }

    /// <summary>The bank operation id of the payout payment.</summary>
    public Guid BankOperationId => FlowIds.BankOperation(Id, PayoutSteps.BankPayout);

    /// <summary>True when no step is left.</summary>
    public bool IsFinished => State switch
    {
        PayoutFlowState.BurnFailed or PayoutFlowState.BankRejected or PayoutFlowState.Returned or PayoutFlowState.Refused => true,
        PayoutFlowState.Paid => Return is null,
        _ => false,
    };

    /// <summary>True when the payout ended short of paying the merchant, or was returned: reported.</summary>
    public bool NeedsAttention => State is PayoutFlowState.BurnFailed or PayoutFlowState.BankRejected or PayoutFlowState.Returned or PayoutFlowState.Refused;

    /// <summary>The burn transaction, which this state must have.</summary>
    /// <exception cref="InvalidDataException">The stored flow lacks it.</exception>
    internal ChainStep RequiredBurn => Burn ?? throw new InvalidDataException($"Payout {Id:N} in state {State} has no burn transaction.");

    /// <summary>Throws when the data does not fit the state (a corrupt or hand-edited row).</summary>
    /// <exception cref="InvalidDataException">What is missing or wrong.</exception>
    internal PayoutFlow Validate()
    {
        if (Order.AmountPence <= 0 || Order.FeePence < 0 || Order.FeePence >= Order.AmountPence)
        {
            throw new InvalidDataException($"Payout {Id:N} stores amount {Order.AmountPence} and fee {Order.FeePence}.");
        }

        var needsBurn = State is PayoutFlowState.BurnSubmitted or PayoutFlowState.PayoutReserved or PayoutFlowState.AwaitingBank or PayoutFlowState.Paid or PayoutFlowState.Returned
            or PayoutFlowState.BankRejected;
        var needsProblem = State is PayoutFlowState.BurnFailed or PayoutFlowState.BankRejected or PayoutFlowState.Refused;
        var needsReturn = State is PayoutFlowState.Returned;
        if ((needsBurn && Burn is null) || (needsProblem && Problem is null) || (needsReturn && Return is null))
        {
            throw new InvalidDataException($"Payout {Id:N} in state {State} lacks the data of that state.");
        }

        return this;
    }
}
