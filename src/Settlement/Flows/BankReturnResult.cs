namespace Settlement.Service.Flows;

/// <summary>The result of <see cref="SettlementFlows.RecordBankReturnAsync"/>.</summary>
/// <param name="Outcome">What was done.</param>
/// <param name="Flow">The flow after it, or null when not found.</param>
public sealed record BankReturnResult(BankReturnOutcome Outcome, FlowSnapshot? Flow);
