using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Tests.Pis;

public sealed class StatusMappingTests
{
    [Theory]
    [InlineData("AwaitingAuthorisation", ConsentStatusKind.AwaitingAuthorisation)]
    [InlineData("Authorised", ConsentStatusKind.Authorised)]
    [InlineData("Consumed", ConsentStatusKind.Consumed)]
    [InlineData("Rejected", ConsentStatusKind.Rejected)]
    [InlineData("AWAU", ConsentStatusKind.AwaitingAuthorisation)]
    [InlineData("AUTH", ConsentStatusKind.Authorised)]
    [InlineData("COND", ConsentStatusKind.Consumed)]
    [InlineData("RJCT", ConsentStatusKind.Rejected)]
    [InlineData("EXPD", ConsentStatusKind.Unknown)]
    public void ConsentStatusFromCode_BothVersions_Mapped(string code, ConsentStatusKind kind)
    {
        var status = ConsentStatus.FromCode(code);
        status.Kind.ShouldBe(kind);
        status.Code.ShouldBe(code);
    }

    [Theory]
    [InlineData("Pending", PaymentStatusKind.Pending)]
    [InlineData("AcceptedSettlementInProcess", PaymentStatusKind.SettlementInProcess)]
    [InlineData("AcceptedWithoutPosting", PaymentStatusKind.AcceptedWithoutPosting)]
    [InlineData("AcceptedSettlementCompleted", PaymentStatusKind.SettlementCompleted)]
    [InlineData("AcceptedCreditSettlementCompleted", PaymentStatusKind.Completed)]
    [InlineData("Rejected", PaymentStatusKind.Rejected)]
    [InlineData("RCVD", PaymentStatusKind.Received)]
    [InlineData("PDNG", PaymentStatusKind.Pending)]
    [InlineData("ACTC", PaymentStatusKind.Accepted)]
    [InlineData("PATC", PaymentStatusKind.Accepted)]
    [InlineData("ACCP", PaymentStatusKind.Accepted)]
    [InlineData("ACFC", PaymentStatusKind.Accepted)]
    [InlineData("ACSP", PaymentStatusKind.SettlementInProcess)]
    [InlineData("ACWC", PaymentStatusKind.AcceptedWithoutPosting)]
    [InlineData("ACWP", PaymentStatusKind.AcceptedWithoutPosting)]
    [InlineData("ACSC", PaymentStatusKind.SettlementCompleted)]
    [InlineData("ACCC", PaymentStatusKind.Completed)]
    [InlineData("BLCK", PaymentStatusKind.Rejected)]
    [InlineData("RJCT", PaymentStatusKind.Rejected)]
    [InlineData("CANC", PaymentStatusKind.Rejected)]
    [InlineData("XYZW", PaymentStatusKind.Unknown)]
    public void PaymentStatusFromCode_AllCodesOfBothVersions_Mapped(string code, PaymentStatusKind kind)
    {
        var status = PaymentStatus.FromCode(code);
        status.Kind.ShouldBe(kind);
        status.Code.ShouldBe(code);
    }

    [Fact]
    public void PaymentStatus_UnknownCode_NeitherFinalNorSettled()
    {
        var status = PaymentStatus.FromCode("SOMETHING_NEW");
        status.IsFinal.ShouldBeFalse();
        status.IsSettled.ShouldBeFalse();
        status.ToString().ShouldBe("SOMETHING_NEW");
    }
}
