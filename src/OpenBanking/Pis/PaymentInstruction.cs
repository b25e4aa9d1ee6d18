namespace Settlement.OpenBanking.Pis;

/// <summary>
/// What to pay: the version-independent content of an OBIE domestic payment initiation. The
/// payment submission repeats exactly the consent's initiation and risk, so both are built from this.
/// </summary>
/// <param name="InstructionIdentification">Unique per instruction (≤ 35 chars).</param>
/// <param name="EndToEndIdentification">Passed to the creditor (≤ 35 chars).</param>
/// <param name="Amount">Instructed amount.</param>
/// <param name="Creditor">Creditor account.</param>
/// <param name="Debtor">Debtor account, when known.</param>
/// <param name="Reference">
/// Creditor reference (≤ <see cref="MaxReferenceLength"/> characters, the Faster Payments limit): v3.1.11
/// <c>RemittanceInformation.Reference</c>, v4.0 <c>RemittanceInformation.Structured[0].CreditorReferenceInformation.Reference</c>.
/// </param>
/// <param name="Risk">The <c>Risk</c> block; null sends an empty one.</param>
/// <param name="ReadRefundAccount">Ask the bank for the payer's account (<c>Data.ReadRefundAccount: Yes</c>).</param>
public sealed record PaymentInstruction(
    string InstructionIdentification,
    string EndToEndIdentification,
    Money Amount,
    AccountIdentification Creditor,
    AccountIdentification? Debtor,
    string? Reference,
    PaymentRisk? Risk = null,
    bool ReadRefundAccount = false)
{
    /// <summary>
    /// OBIE (v3.1.11 and v4.0, <c>Reference</c>): "The Faster Payments Scheme can only accept 18
    /// characters for the ReferenceInformation field"; a longer one would be cut or refused by the scheme.
    /// </summary>
    public const int MaxReferenceLength = 18;
}
