using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Vrp;

/// <summary>A domestic VRP as the bank reports it.</summary>
/// <param name="PaymentId">DomesticVRPId.</param>
/// <param name="ConsentId">The consent it was made under.</param>
/// <param name="AmountMinor">Instruction.InstructedAmount in pence.</param>
/// <param name="Status">The payment status (same codes as v4.0 PIS).</param>
/// <param name="InstructionIdentification">Instruction.InstructionIdentification (ties the payment to the sweep).</param>
/// <param name="Debtor">DebtorAccount, when reported.</param>
public sealed record VrpPayment(string PaymentId, string ConsentId, long AmountMinor, PaymentStatus Status, string InstructionIdentification, AccountIdentification? Debtor);
