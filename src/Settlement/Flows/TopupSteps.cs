namespace Settlement.Service.Flows;

/// <summary>The step names of a top-up: the ledger transfer ids, bank operation id and chain step key derive from them.</summary>
internal static class TopupSteps
{
    public const string BankTopup = "bank-topup";
    public const string BankSweep = "bank-sweep";
    public const string Credit = "credit";
    public const string Reserve = "fund-reserve";
    public const string Fund = "fund-chain";
    public const string Post = "fund-post";
    public const string Void = "fund-void";
    public const string Reversal = "return-reversal";
}
