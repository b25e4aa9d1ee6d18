using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

/// <summary>
/// The idempotency keys are part of the persisted contract (a transfer started before an upgrade is
/// resumed after it with the same keys, or the bank pays twice); the final states.
/// </summary>
public sealed class TransferOperationTests
{
    [Fact]
    public void IdempotencyKeys_CompactIdWithSuffix_PinnedFormat()
    {
        var op = Operation(new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"), TransferState.Created);

        op.ConsentIdempotencyKey.ShouldBe("0f8fad5bd9cb469fa16570867728950e-c");
        op.PaymentIdempotencyKey.ShouldBe("0f8fad5bd9cb469fa16570867728950e-p");
    }

    [Theory]
    [InlineData(TransferState.Created, false)]
    [InlineData(TransferState.AwaitingAuthorisation, false)]
    [InlineData(TransferState.SubmittingPayment, false)]
    [InlineData(TransferState.PaymentSubmitted, false)]
    [InlineData(TransferState.Completed, true)]
    [InlineData(TransferState.Rejected, true)]
    [InlineData(TransferState.Failed, true)]
    [InlineData(TransferState.Expired, true)]
    public void IsFinished_OnlyTheFinalStates(TransferState state, bool finished) =>
        Operation(Guid.NewGuid(), state).IsFinished.ShouldBe(finished);

    private static TransferOperation Operation(Guid id, TransferState state) => new()
    {
        Id = id,
        Kind = TransferKind.Topup,
        Bank = "acme",
        State = state,
        Instruction = new PaymentInstruction("i", "e", new Money(500, "GBP"),
            new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "04000412345678", "Platform"), null, null),
    };
}
