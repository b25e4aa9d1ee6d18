namespace Settlement.OpenBanking.Pis;

/// <summary>
/// What to pay: the version-independent content of an OBIE domestic payment initiation. The
/// payment submission repeats exactly the consent's initiation, so both are built from this.
/// </summary>
/// <param name="InstructionIdentification">Unique per instruction (≤ 35 chars).</param>
/// <param name="EndToEndIdentification">Passed to the creditor (≤ 35 chars).</param>
/// <param name="Amount">Instructed amount.</param>
/// <param name="Creditor">Creditor account.</param>
/// <param name="Debtor">Debtor account, when known.</param>
/// <param name="Reference">Remittance reference shown to the creditor (≤ 35 chars).</param>
public sealed record PaymentInstruction(
    string InstructionIdentification,
    string EndToEndIdentification,
    Money Amount,
    AccountIdentification Creditor,
    AccountIdentification? Debtor,
    string? Reference);
