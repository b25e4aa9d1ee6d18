using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

public sealed class PaymentLifecycleTests
{
    [Theory]
    [InlineData(null, "RCVD", StatusUpdateOutcome.Applied)]
    [InlineData("RCVD", "ACSP", StatusUpdateOutcome.Applied)]
    [InlineData("ACSP", "ACSC", StatusUpdateOutcome.Applied)]
    [InlineData("ACSC", "ACCC", StatusUpdateOutcome.Applied)]
    [InlineData("Pending", "AcceptedSettlementInProcess", StatusUpdateOutcome.Applied)]
    [InlineData("AcceptedSettlementInProcess", "AcceptedSettlementCompleted", StatusUpdateOutcome.Applied)]
    [InlineData("RCVD", "RJCT", StatusUpdateOutcome.Applied)]
    [InlineData("ACSP", "ACSP", StatusUpdateOutcome.Duplicate)]
    [InlineData("ACTC", "ACCP", StatusUpdateOutcome.Duplicate)]
    [InlineData("ACSP", "RCVD", StatusUpdateOutcome.Stale)]
    [InlineData("ACSC", "ACSP", StatusUpdateOutcome.Stale)]
    [InlineData("AcceptedSettlementCompleted", "Pending", StatusUpdateOutcome.Stale)]
    [InlineData("ACSC", "RJCT", StatusUpdateOutcome.Impossible)]
    [InlineData("ACCC", "RJCT", StatusUpdateOutcome.Impossible)]
    [InlineData("RJCT", "ACSC", StatusUpdateOutcome.Impossible)]
    [InlineData("Rejected", "AcceptedSettlementCompleted", StatusUpdateOutcome.Impossible)]
    [InlineData("RJCT", "RCVD", StatusUpdateOutcome.Impossible)]
    [InlineData("ACSP", "WXYZ", StatusUpdateOutcome.Unrecognised)]
    [InlineData(null, "WXYZ", StatusUpdateOutcome.Unrecognised)]
    // A report about a cancellation request is no settlement stage, whatever came before; a stage after one applies.
    [InlineData(null, "PendingCancellationRequest", StatusUpdateOutcome.Stale)]
    [InlineData("ACSP", "NoCancellationProcess", StatusUpdateOutcome.Stale)]
    [InlineData("PendingCancellationRequest", "ACSP", StatusUpdateOutcome.Applied)]
    [InlineData("PendingCancellationRequest", "RCVD", StatusUpdateOutcome.Applied)]
    // Settled: the same code again is a duplicate; another code of the same stage or an earlier one is stale.
    [InlineData("ACSC", "ACSC", StatusUpdateOutcome.Duplicate)]
    [InlineData("ACSC", "AcceptedSettlementCompleted", StatusUpdateOutcome.Stale)]
    [InlineData("ACCC", "ACSC", StatusUpdateOutcome.Stale)]
    [InlineData("RCVD", "Received", StatusUpdateOutcome.Duplicate)]
    [InlineData("RCVD", "ACSC", StatusUpdateOutcome.Applied)]
    public void Classify_Transition_Outcome(string? current, string reported, StatusUpdateOutcome expected) =>
        PaymentLifecycle.Classify(current, PaymentStatus.FromCode(reported)).ShouldBe(expected);

    [Theory]
    [InlineData("RCVD", TransferState.PaymentSubmitted)]
    [InlineData("ACSP", TransferState.PaymentSubmitted)]
    [InlineData("ACWP", TransferState.PaymentSubmitted)]
    [InlineData("ACSC", TransferState.Completed)]
    [InlineData("AcceptedCreditSettlementCompleted", TransferState.Completed)]
    [InlineData("RJCT", TransferState.Rejected)]
    [InlineData("Rejected", TransferState.Rejected)]
    public void StateFor_Status_TransferState(string code, TransferState state) =>
        PaymentLifecycle.StateFor(PaymentStatus.FromCode(code)).ShouldBe(state);
}
