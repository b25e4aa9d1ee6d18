using Settlement.Service.Flows;

namespace Settlement.Service.Tests.Flows;

/// <summary>
/// The stored top-up's own rules: which bank operation it uses, and that reading a flow whose data does not fit its
/// state (a corrupt or hand-edited row) fails with a message naming the flow, the state and what is wrong.
/// </summary>
public sealed class TopupFlowStateTests
{
    private static readonly Guid Id = Guid.Parse("5a0f6f2e-64f4-4d8b-9a43-3f7c2a1b0c01");
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ChainStep Funding = new("0x" + new string('a', 64), 7, "0x" + new string('c', 64));
    private static readonly FlowProblem Problem = new("bank-rejected", "RJCT");
    private static readonly BankReturn Returned = new("MD06 refund", T0);

    private static TopupFlow Flow(TopupFlowState state, ChainStep? funding = null, FlowProblem? problem = null, BankReturn? returned = null, string? consentId = null) => new()
    {
        Id = Id,
        Request = new TopupRequest
        {
            FlowId = Id, UserId = "user-1", Bank = "sandbox", AmountPence = 100, PayerAddress = "0x" + new string('1', 40), PayeeAddress = "0x" + new string('2', 40),
            SweepingConsentId = consentId,
        },
        State = state, Version = 3, CreatedAt = T0, UpdatedAt = T0, Funding = funding, Problem = problem, Return = returned,
    };

    [Fact]
    public void BankOperationId_TopupAndRecharge_DerivedFromTheirOwnStep()
    {
        Flow(TopupFlowState.Created).BankOperationId.ShouldBe(FlowIds.BankOperation(Id, "bank-topup"));
        Flow(TopupFlowState.Created, consentId: "c-1").BankOperationId.ShouldBe(FlowIds.BankOperation(Id, "bank-sweep"));
        FlowIds.BankOperation(Id, "bank-topup").ShouldNotBe(FlowIds.BankOperation(Id, "bank-sweep"));
    }

    public static TheoryData<TopupFlowState, bool, bool, bool> Complete => new()
    {
        // state, funding, problem, return: exactly what the state needs
        { TopupFlowState.Created, false, false, false },
        { TopupFlowState.AwaitingBank, false, false, false },
        { TopupFlowState.Credited, false, false, false },
        { TopupFlowState.FundingReserved, false, false, false },
        { TopupFlowState.AwaitingConfirmation, true, false, false },
        { TopupFlowState.Funded, true, false, false },
        { TopupFlowState.Rejected, false, true, false },
        { TopupFlowState.FundingFailed, false, true, false },
        { TopupFlowState.Refused, false, true, false },
        { TopupFlowState.ReturnedAfterFunding, false, true, true },
        { TopupFlowState.Reversed, false, false, true },
    };

    [Theory]
    [MemberData(nameof(Complete))]
    public void Validate_WhatTheStateNeeds_Accepted(TopupFlowState state, bool funding, bool problem, bool returned)
    {
        var flow = Flow(state, funding ? Funding : null, problem ? Problem : null, returned ? Returned : null);

        flow.Validate().ShouldBeSameAs(flow);
    }

    [Theory]
    [MemberData(nameof(Complete))]
    public void Validate_EachNeededPieceMissing_Refused(TopupFlowState state, bool funding, bool problem, bool returned)
    {
        var message = $"Top-up {Id:N} in state {state} lacks the data of that state.";
        var full = Flow(state, funding ? Funding : null, problem ? Problem : null, returned ? Returned : null);
        var spoiled = new List<TopupFlow>();
        if (funding)
        {
            spoiled.Add(full with { Funding = null });
        }

        if (problem)
        {
            spoiled.Add(full with { Problem = null });
        }

        if (returned)
        {
            spoiled.Add(full with { Return = null });
        }

        foreach (var flow in spoiled)
        {
            Should.Throw<InvalidDataException>(() => flow.Validate()).Message.ShouldBe(message);
        }
    }

    [Fact]
    public void Validate_RequestOfAnotherFlow_Refused()
    {
        var other = Guid.Parse("5a0f6f2e-64f4-4d8b-9a43-3f7c2a1b0c02");
        var flow = Flow(TopupFlowState.Created) with { Id = other };

        Should.Throw<InvalidDataException>(() => flow.Validate()).Message.ShouldBe($"Top-up {other:N} stores the request of flow {Id:N}.");
    }

    [Fact]
    public void Validate_StoredAsTheOtherKind_Refused()
    {
        Should.Throw<InvalidDataException>(() => Flow(TopupFlowState.Created).Validate(FlowKind.Recharge))
            .Message.ShouldBe($"Flow {Id:N} is stored as a Recharge but its request is a Topup.");
        Should.Throw<InvalidDataException>(() => Flow(TopupFlowState.Created, consentId: "c-1").Validate(FlowKind.Topup))
            .Message.ShouldBe($"Flow {Id:N} is stored as a Topup but its request is a Recharge.");
        Flow(TopupFlowState.Created, consentId: "c-1").Validate(FlowKind.Recharge).State.ShouldBe(TopupFlowState.Created);
    }

    [Fact]
    public void RequiredFunding_Missing_ThrowsNamingTheFlowAndState()
    {
        Should.Throw<InvalidDataException>(() => Flow(TopupFlowState.Credited).RequiredFunding)
            .Message.ShouldBe($"Top-up {Id:N} in state Credited has no funding transaction.");
        Flow(TopupFlowState.Funded, Funding).RequiredFunding.ShouldBe(Funding);
    }
}
