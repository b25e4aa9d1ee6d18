namespace Settlement.BankSandbox.Errors;

/// <summary>The OBIE error codes the sandbox uses (OB_Internal_CodeSet, OBErrorResponseError1Code).</summary>
internal enum ObErrorCode
{
    UnexpectedError,
    FieldInvalid,
    FieldInvalidDate,
    FieldMissing,
    FieldUnexpected,
    HeaderInvalid,
    HeaderMissing,
    ResourceConsentMismatch,
    ResourceInvalidConsentStatus,
    ResourceInvalidFormat,
    ResourceNotFound,
    RulesFailsControlParameters,
    SignatureInvalid,
    SignatureInvalidClaim,
    SignatureMissingClaim,
    SignatureMalformed,
    SignatureMissing,
    UnsupportedCurrency,
    UnsupportedScheme,
}

/// <summary>v3.1.11 names and v4.0 four-character codes of <see cref="ObErrorCode"/>.</summary>
internal static class ObErrorCodes
{
    public static string For(ObErrorCode code, PisVersion version) => version == PisVersion.V4 ? V4(code) : V3(code);

    private static string V3(ObErrorCode code) => code switch
    {
        ObErrorCode.UnexpectedError => "UK.OBIE.UnexpectedError",
        ObErrorCode.FieldInvalid => "UK.OBIE.Field.Invalid",
        ObErrorCode.FieldInvalidDate => "UK.OBIE.Field.InvalidDate",
        ObErrorCode.FieldMissing => "UK.OBIE.Field.Missing",
        ObErrorCode.FieldUnexpected => "UK.OBIE.Field.Unexpected",
        ObErrorCode.HeaderInvalid => "UK.OBIE.Header.Invalid",
        ObErrorCode.HeaderMissing => "UK.OBIE.Header.Missing",
        ObErrorCode.ResourceConsentMismatch => "UK.OBIE.Resource.ConsentMismatch",
        ObErrorCode.ResourceInvalidConsentStatus => "UK.OBIE.Resource.InvalidConsentStatus",
        ObErrorCode.ResourceInvalidFormat => "UK.OBIE.Resource.InvalidFormat",
        ObErrorCode.ResourceNotFound => "UK.OBIE.Resource.NotFound",
        ObErrorCode.RulesFailsControlParameters => "UK.OBIE.Rules.FailsControlParameters",
        ObErrorCode.SignatureInvalid => "UK.OBIE.Signature.Invalid",
        ObErrorCode.SignatureInvalidClaim => "UK.OBIE.Signature.InvalidClaim",
        ObErrorCode.SignatureMissingClaim => "UK.OBIE.Signature.MissingClaim",
        ObErrorCode.SignatureMalformed => "UK.OBIE.Signature.Malformed",
        ObErrorCode.SignatureMissing => "UK.OBIE.Signature.Missing",
        ObErrorCode.UnsupportedCurrency => "UK.OBIE.Unsupported.Currency",
        ObErrorCode.UnsupportedScheme => "UK.OBIE.Unsupported.Scheme",
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };

    private static string V4(ObErrorCode code) => code switch
    {
        ObErrorCode.UnexpectedError => "U000",
        ObErrorCode.FieldInvalid => "U002",
        ObErrorCode.FieldInvalidDate => "U003",
        ObErrorCode.FieldMissing => "U004",
        ObErrorCode.FieldUnexpected => "U005",
        ObErrorCode.HeaderInvalid => "U006",
        ObErrorCode.HeaderMissing => "U007",
        ObErrorCode.ResourceConsentMismatch => "U008",
        ObErrorCode.ResourceInvalidConsentStatus => "U009",
        ObErrorCode.ResourceInvalidFormat => "U010",
        ObErrorCode.ResourceNotFound => "U011",
        ObErrorCode.RulesFailsControlParameters => "U014",
        ObErrorCode.SignatureInvalid => "U015",
        ObErrorCode.SignatureInvalidClaim => "U016",
        ObErrorCode.SignatureMissingClaim => "U017",
        ObErrorCode.SignatureMalformed => "U018",
        ObErrorCode.SignatureMissing => "U019",
        ObErrorCode.UnsupportedCurrency => "U023",
        ObErrorCode.UnsupportedScheme => "U027",
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };
}
