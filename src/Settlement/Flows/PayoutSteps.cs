namespace Settlement.Service.Flows;

/// <summary>The step names of a payout: the ledger transfer ids, bank operation id and chain step key derive from them.</summary>
internal static class PayoutSteps
{
    public const string Burn = "burn";
    public const string Payable = "payable";
    public const string Fee = "fee";
    public const string Reserve = "payout-reserve";
    public const string BankPayout = "bank-payout";
    public const string Post = "payout-post";
    public const string Void = "payout-void";
    public const string Reversal = "return-reversal";
}
