using Settlement.OpenBanking.Configuration;

namespace Settlement.OpenBanking.Pis;

/// <summary>
/// The OBIE <c>Risk</c> block (OBRisk1, v3.1.11 and v4.0): what the PISP tells the bank about the
/// payment for its risk scoring. Null members are left out of the request.
/// </summary>
/// <param name="PaymentContextCode">e.g. <c>BillingGoodsAndServicesInAdvance</c>, <c>TransferToThirdParty</c>.</param>
/// <param name="MerchantCategoryCode">ISO 18245 merchant category (3–4 characters).</param>
/// <param name="ContractPresentIndicator">The payee has a contractual relationship with the PISP.</param>
/// <param name="BeneficiaryPrepopulatedIndicator">The PISP prepopulated the payee's details immutably.</param>
/// <param name="PaymentPurposeCode">ISO 20022 purpose (3–4 characters).</param>
/// <param name="BeneficiaryAccountType">e.g. <c>Business</c>, <c>Personal</c>.</param>
public sealed record PaymentRisk(
    string? PaymentContextCode,
    string? MerchantCategoryCode,
    bool? ContractPresentIndicator,
    bool? BeneficiaryPrepopulatedIndicator,
    string? PaymentPurposeCode,
    string? BeneficiaryAccountType)
{
    // OBRisk1.PaymentContextCode, payment-initiation-openapi.v4.0-update4.json.
    private static readonly string[] ContextV4 =
    [
        "BillingGoodsAndServicesInAdvance", "BillingGoodsAndServicesInArrears", "EcommerceMerchantInitiatedPayment", "FaceToFacePointOfSale", "TransferToSelf",
        "TransferToThirdParty",
    ];

    // v3.1.11 adds PispPayee and the deprecated codes.
    private static readonly string[] ContextV3 = [.. ContextV4, "PispPayee", "BillPayment", "EcommerceGoods", "EcommerceServices", "Other", "PartyToParty"];

    // OBInternalExtendedAccountType1Code (v4.0) = OBExternalExtendedAccountType1Code (v3.1.11).
    private static readonly string[] AccountTypes =
    [
        "Business", "BusinessSavingsAccount", "Charity", "Collection", "Corporate", "Ewallet", "Government", "Investment", "ISA", "JointPersonal", "Pension",
        "Personal", "PersonalSavingsAccount", "Premier", "Wealth",
    ];

    /// <summary>Null when every present value is one the spec of <paramref name="version"/> allows; else what is wrong.</summary>
    public string? Check(ObieVersion version)
    {
        if (PaymentContextCode is not null && !(version == ObieVersion.V4_0 ? ContextV4 : ContextV3).Contains(PaymentContextCode, StringComparer.Ordinal))
        {
            return $"Risk.PaymentContextCode '{PaymentContextCode}' is not a {(version == ObieVersion.V4_0 ? "v4.0" : "v3.1.11")} code";
        }

        if (BeneficiaryAccountType is not null && !AccountTypes.Contains(BeneficiaryAccountType, StringComparer.Ordinal))
        {
            return $"Risk.BeneficiaryAccountType '{BeneficiaryAccountType}' is not an OBIE extended account type";
        }

        if (MerchantCategoryCode is { Length: < 3 or > 4 })
        {
            return "Risk.MerchantCategoryCode must be 3 or 4 characters";
        }

        return PaymentPurposeCode is { Length: < 3 or > 4 } ? "Risk.PaymentPurposeCode must be 3 or 4 characters" : null;
    }
}
