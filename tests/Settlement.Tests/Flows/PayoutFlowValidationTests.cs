using Settlement.OpenBanking.Pis;
using Settlement.Service.Flows;

namespace Settlement.Service.Tests.Flows;

/// <summary>
/// <see cref="PayoutFlow"/>'s own rules: which states are finished, and what a stored payout must carry in each state
/// (amount and fee, the burn, the problem, the return), refused with a message that names the flow.
/// </summary>
public sealed class PayoutFlowValidationTests
{
    private static readonly Guid Id = Guid.Parse("0b53516f-7d78-8d5a-a17d-986e891fb043");
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ChainStep Burn = new("0x" + new string('a', 64), 7, null);
    private static readonly FlowProblem Problem = new("bank-rejected", "RJCT");
    private static readonly BankReturn Return = new("AC01", T0);

    private static PayoutFlow Flow(PayoutFlowState state, long amount = 500, long fee = 50, ChainStep? burn = null, FlowProblem? problem = null, BankReturn? bankReturn = null) => new()
    {
        Id = Id,
        Order = new PayoutOrder(Guid.Empty, "m1", "0x3333333333333333333333333333333333333333", "sandbox", new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "20000055555555", "M"), amount, fee),
        State = state, Version = 1, CreatedAt = T0, UpdatedAt = T0, Burn = burn, Problem = problem, Return = bankReturn,
    };

    /// <summary>Each state with everything it could need: only the state decides.</summary>
    private static PayoutFlow Complete(PayoutFlowState state, BankReturn? bankReturn = null) => Flow(state, burn: Burn, problem: Problem, bankReturn: bankReturn);

    [Theory]
    [InlineData(PayoutFlowState.Created, false)]
    [InlineData(PayoutFlowState.BurnSubmitted, false)]
    [InlineData(PayoutFlowState.PayoutReserved, false)]
    [InlineData(PayoutFlowState.AwaitingBank, false)]
    [InlineData(PayoutFlowState.Paid, true)]
    [InlineData(PayoutFlowState.BurnFailed, true)]
    [InlineData(PayoutFlowState.BankRejected, true)]
    [InlineData(PayoutFlowState.Returned, true)]
    [InlineData(PayoutFlowState.Refused, true)]
    public void IsFinished_PerState(PayoutFlowState state, bool finished)
    {
        Complete(state).IsFinished.ShouldBe(finished);
    }

    [Fact]
    public void IsFinished_PaidWithABankReturn_NotYet()
    {
        Complete(PayoutFlowState.Paid, Return).IsFinished.ShouldBeFalse();
        Complete(PayoutFlowState.Returned, Return).IsFinished.ShouldBeTrue();
    }

    [Theory]
    [InlineData(500, 0)]
    [InlineData(500, 499)]
    [InlineData(1, 0)]
    public void Validate_AmountAboveZeroAndFeeFromZeroToBelowTheAmount_Accepted(long amount, long fee)
    {
        var flow = Flow(PayoutFlowState.Created, amount, fee);

        flow.Validate().ShouldBeSameAs(flow);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, 0)]
    [InlineData(500, -1)]
    [InlineData(500, 500)]
    [InlineData(500, 501)]
    public void Validate_AmountOrFeeOutOfRange_InvalidDataNamingThem(long amount, long fee)
    {
        var thrown = Should.Throw<InvalidDataException>(() => Flow(PayoutFlowState.Created, amount, fee).Validate());

        thrown.Message.ShouldBe($"Payout 0b53516f7d788d5aa17d986e891fb043 stores amount {amount} and fee {fee}.");
    }

    [Theory]
    [InlineData(PayoutFlowState.BurnSubmitted)]
    [InlineData(PayoutFlowState.PayoutReserved)]
    [InlineData(PayoutFlowState.AwaitingBank)]
    [InlineData(PayoutFlowState.Paid)]
    [InlineData(PayoutFlowState.Returned)]
    [InlineData(PayoutFlowState.BankRejected)]
    public void Validate_StateThatNeedsTheBurnWithoutIt_InvalidData(PayoutFlowState state)
    {
        var thrown = Should.Throw<InvalidDataException>(() => Flow(state, problem: Problem, bankReturn: Return).Validate());

        thrown.Message.ShouldBe($"Payout 0b53516f7d788d5aa17d986e891fb043 in state {state} lacks the data of that state.");
    }

    [Theory]
    [InlineData(PayoutFlowState.BurnFailed)]
    [InlineData(PayoutFlowState.BankRejected)]
    [InlineData(PayoutFlowState.Refused)]
    public void Validate_StateThatNeedsAProblemWithoutIt_InvalidData(PayoutFlowState state)
    {
        var thrown = Should.Throw<InvalidDataException>(() => Flow(state, burn: Burn, bankReturn: Return).Validate());

        thrown.Message.ShouldBe($"Payout 0b53516f7d788d5aa17d986e891fb043 in state {state} lacks the data of that state.");
    }

    [Fact]
    public void Validate_ReturnedWithoutTheReturn_InvalidData()
    {
        Should.Throw<InvalidDataException>(() => Flow(PayoutFlowState.Returned, burn: Burn, problem: Problem).Validate())
            .Message.ShouldBe("Payout 0b53516f7d788d5aa17d986e891fb043 in state Returned lacks the data of that state.");
    }

    [Theory]
    [InlineData(PayoutFlowState.Created)]
    [InlineData(PayoutFlowState.BurnFailed)]
    [InlineData(PayoutFlowState.Refused)]
    public void Validate_StateThatNeedsNoBurn_AcceptedWithoutIt(PayoutFlowState state)
    {
        var flow = Flow(state, problem: Problem);

        flow.Validate().ShouldBeSameAs(flow);
    }

    [Theory]
    [InlineData(PayoutFlowState.BurnSubmitted)]
    [InlineData(PayoutFlowState.PayoutReserved)]
    [InlineData(PayoutFlowState.AwaitingBank)]
    [InlineData(PayoutFlowState.Paid)]
    public void Validate_StateThatNeedsOnlyTheBurn_AcceptedWithIt(PayoutFlowState state)
    {
        var flow = Flow(state, burn: Burn);

        flow.Validate().ShouldBeSameAs(flow);
    }

    [Fact]
    public void RequiredBurn_Missing_InvalidDataNamingTheFlowAndState()
    {
        Flow(PayoutFlowState.BurnSubmitted, burn: Burn).RequiredBurn.ShouldBe(Burn);
        Should.Throw<InvalidDataException>(() => Flow(PayoutFlowState.BurnSubmitted).RequiredBurn)
            .Message.ShouldBe("Payout 0b53516f7d788d5aa17d986e891fb043 in state BurnSubmitted has no burn transaction.");
    }
}
