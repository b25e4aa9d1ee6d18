using System.Text.Json;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Transfers;

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

    /// <summary>Every status code the spec enumerates (Vectors/obie-status-codes.json, generated from the OBIE OpenAPI files).</summary>
    public static TheoryData<string, string, string> SpecCodes()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", "obie-status-codes.json")));
        var data = new TheoryData<string, string, string>();
        foreach (var version in new[] { "v3.1.11", "v4.0" })
        {
            foreach (var resource in doc.RootElement.GetProperty(version).EnumerateObject())
            {
                foreach (var code in resource.Value.EnumerateArray())
                {
                    data.Add(version, resource.Name, code.GetString()!);
                }
            }
        }

        return data;
    }

    // What each spec code means, from the OBIE payment status lifecycle (v3.1.11 diagram, ISO 20022
    // ExternalPaymentTransactionStatus1Code for v4.0), written independently of the mapping under test.
    private static readonly Dictionary<string, string> Meaning = new(StringComparer.Ordinal)
    {
        ["Received"] = "Received", ["RCVD"] = "Received", ["Pending"] = "Pending", ["PDNG"] = "Pending",
        ["Accepted"] = "Accepted", ["AcceptedTechnicalValidation"] = "Accepted", ["ACTC"] = "Accepted", ["PartiallyAcceptedTechnicalCorrect"] = "Accepted",
        ["PATC"] = "Accepted", ["AcceptedCustomerProfile"] = "Accepted", ["ACCP"] = "Accepted", ["AcceptedFundsChecked"] = "Accepted", ["ACFC"] = "Accepted",
        ["AcceptedSettlementInProcess"] = "SettlementInProcess", ["ACSP"] = "SettlementInProcess",
        ["AcceptedWithoutPosting"] = "AcceptedWithoutPosting", ["ACWP"] = "AcceptedWithoutPosting", ["AcceptedWithChange"] = "AcceptedWithoutPosting",
        ["ACWC"] = "AcceptedWithoutPosting",
        ["AcceptedSettlementCompleted"] = "SettlementCompleted", ["ACSC"] = "SettlementCompleted",
        ["AcceptedCreditSettlementCompleted"] = "Completed", ["ACCC"] = "Completed",
        ["Rejected"] = "Rejected", ["RJCT"] = "Rejected", ["BLCK"] = "Rejected", ["Cancelled"] = "Rejected", ["PaymentCancelled"] = "Rejected",
        ["AcceptedCancellationRequest"] = "CancellationRequest", ["PendingCancellationRequest"] = "CancellationRequest",
        ["RejectedCancellationRequest"] = "CancellationRequest", ["PartiallyAcceptedCancellationRequest"] = "CancellationRequest",
        ["NoCancellationProcess"] = "CancellationRequest",
    };

    [Theory]
    [MemberData(nameof(SpecCodes))]
    public void FromCode_EveryCodeTheSpecDefines_MappedToItsMeaning(string version, string resource, string code)
    {
        if (resource == "consent")
        {
            var consent = ConsentStatus.FromCode(code);
            consent.Kind.ShouldNotBe(ConsentStatusKind.Unknown, $"{version} consent {code}");
            consent.Code.ShouldBe(code);
            return;
        }

        var status = PaymentStatus.FromCode(code);
        status.Kind.ToString().ShouldBe(Meaning[code], $"{version} {resource} {code}");
        status.Code.ShouldBe(code);
    }

    [Theory]
    [InlineData("EXPD")]
    [InlineData("")]
    [InlineData("acsc")]
    [InlineData("AcceptedSettlementCompleted ")]
    public void FromCode_UnknownCode_UnknownOutcomeNotException(string code)
    {
        PaymentStatus.FromCode(code).Kind.ShouldBe(PaymentStatusKind.Unknown);
        ConsentStatus.FromCode(code).Kind.ShouldBe(ConsentStatusKind.Unknown);
        PaymentLifecycle.Classify("ACSP", PaymentStatus.FromCode(code)).ShouldBe(StatusUpdateOutcome.Unrecognised);
    }

    [Theory]
    [InlineData(null, "PendingCancellationRequest", StatusUpdateOutcome.Stale)]
    [InlineData("ACSP", "AcceptedCancellationRequest", StatusUpdateOutcome.Stale)]
    [InlineData("PendingCancellationRequest", "AcceptedSettlementCompleted", StatusUpdateOutcome.Applied)]
    [InlineData("ACSP", "PaymentCancelled", StatusUpdateOutcome.Applied)]
    public void Classify_CancellationRequestCodes_NeverMoveATransfer(string? current, string reported, StatusUpdateOutcome expected) =>
        PaymentLifecycle.Classify(current, PaymentStatus.FromCode(reported)).ShouldBe(expected);

    [Fact]
    public void PaymentStatus_UnknownCode_NeitherFinalNorSettled()
    {
        var status = PaymentStatus.FromCode("SOMETHING_NEW");
        status.IsFinal.ShouldBeFalse();
        status.IsSettled.ShouldBeFalse();
        status.ToString().ShouldBe("SOMETHING_NEW");
    }
}
