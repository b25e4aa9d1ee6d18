using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Configuration;

/// <summary>
/// Configured defaults of the OBIE <c>Risk</c> block (OBRisk1) of a kind of transfer. Values are
/// checked against the spec's enumerations when the options are validated
/// (<see cref="PaymentRisk.Check"/>); empty values are left out of the request.
/// </summary>
public sealed class RiskOptions
{
    /// <summary><c>PaymentContextCode</c>, e.g. <c>BillingGoodsAndServicesInAdvance</c>, <c>TransferToThirdParty</c>.</summary>
    public string? PaymentContextCode { get; set; }

    /// <summary><c>MerchantCategoryCode</c> (ISO 18245, 3–4 characters).</summary>
    public string? MerchantCategoryCode { get; set; }

    /// <summary><c>ContractPresentIndicator</c>: the payee has a contract with the PISP.</summary>
    public bool? ContractPresentIndicator { get; set; }

    /// <summary><c>BeneficiaryPrepopulatedIndicator</c>: the PISP prepopulated the payee immutably.</summary>
    public bool? BeneficiaryPrepopulatedIndicator { get; set; }

    /// <summary><c>PaymentPurposeCode</c> (ExternalPurpose1Code, 3–4 characters).</summary>
    public string? PaymentPurposeCode { get; set; }

    /// <summary><c>BeneficiaryAccountType</c> (OBInternalExtendedAccountType1Code), e.g. <c>Business</c>.</summary>
    public string? BeneficiaryAccountType { get; set; }

    /// <summary>The version-independent model.</summary>
    public PaymentRisk ToRisk() => new(PaymentContextCode, MerchantCategoryCode, ContractPresentIndicator, BeneficiaryPrepopulatedIndicator, PaymentPurposeCode,
        BeneficiaryAccountType);
}
